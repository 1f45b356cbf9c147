// Who is calling. Built by the auth edge, read by access checks, limits, cache keys, vault lookups, audit.
export interface Caller {
  /** Stable principal id: `anonymous`, `key:<name>`, or `sub:<issuer-subject>`. */
  readonly id: string;
  readonly kind: 'anonymous' | 'key' | 'token';
  /** Human label for logs and audit (key name, token subject). Never a secret. */
  readonly name: string;
  /** Tool-name patterns this caller may use (`*` wildcards); `['*']` for everything. */
  readonly tools: readonly string[];
  /** Token claims for rule evaluation (token callers only). */
  readonly claims?: Readonly<Record<string, unknown>>;
  /** MCP session id or client-supplied session hint, when there is one. */
  readonly session?: string;
}

export const ANONYMOUS: Caller = Object.freeze({ id: 'anonymous', kind: 'anonymous', name: 'anonymous', tools: ['*'] });
