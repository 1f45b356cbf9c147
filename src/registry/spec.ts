// The normalised, validated form every other module reads. Built from YAML once per (re)load.
import type { AuthSpec, HttpMethod } from './schema.ts';

export type JsonObject = Record<string, unknown>;

export interface RateLimitSpec {
  readonly requests: number;
  readonly perMs: number;
}

export interface BackendSpec {
  /** Stable identity of the backend (its origin + base path): the key of backend-wide limits. */
  readonly id: string;
  readonly baseUrl: URL;
  readonly timeoutMs: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly maxResponseBytes: number;
  readonly rateLimit?: RateLimitSpec;
  readonly proxy?: string;
  readonly tls?: { readonly caFile?: string; readonly certFile?: string; readonly keyFile?: string; readonly insecure?: boolean };
}

export interface RequestTemplate {
  readonly method: HttpMethod;
  readonly path: string;
  readonly query: Readonly<Record<string, string | number | boolean>>;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

export interface ToolSpec {
  readonly name: string;
  readonly title?: string;
  readonly description: string;
  readonly inputSchema: JsonObject;
  readonly outputSchema?: JsonObject;
  readonly annotations?: JsonObject;
  readonly request: RequestTemplate;
  readonly backend: BackendSpec;
  /** Effective auth: the tool's, else the backend's; absent means none. */
  readonly auth?: Exclude<AuthSpec, { type: 'none' }>;
  /** Per-caller limit for this tool. */
  readonly rateLimit?: RateLimitSpec;
  readonly cache?: { readonly ttlMs: number; readonly allowWriteMethods: boolean; readonly maxEntryBytes?: number };
  readonly auditArguments: boolean;
  /** Where it was declared, for messages. */
  readonly source: { readonly file: string; readonly line: number };
}

export type { AuthSpec, HttpMethod };
