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

/**
 * A caller's tool pattern: a tool-name glob (`jira_*`), or `@set` for every tool of a tool set. The one
 * definition keys, access rules and the admin API validate against.
 */
export const CALLER_PATTERN = /^(?:@[a-z0-9][a-z0-9-]{0,31}|[A-Za-z0-9_.*-]{1,128})$/;
export const CALLER_PATTERN_HELP = 'tool patterns are letters, digits, _ . - and *, or @toolset';
