// The normalised, validated form every other module reads. Built from YAML once per (re)load.
import type { Projection } from '../catalogue/projection.ts';
import type { AuthSpec, BODY_ENCODINGS, HttpMethod, VALUE_STYLES } from './schema.ts';

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
  /** Budget of calls in flight (YAML max_concurrency); absent: the NEXUS_BACKEND_CONCURRENCY default. */
  readonly maxConcurrency?: number;
}

export type ValueStyle = (typeof VALUE_STYLES)[number];
export type BodyEncoding = (typeof BODY_ENCODINGS)[number];

export interface RequestTemplate {
  readonly method: HttpMethod;
  readonly path: string;
  readonly query: Readonly<Record<string, string | number | boolean>>;
  /** Query parameters sent in another style than repeat. */
  readonly queryStyles?: Readonly<Record<string, ValueStyle>>;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: unknown;
  /** Absent: json. */
  readonly encoding?: BodyEncoding;
  /** Styles of top-level fields of a form or multipart body. */
  readonly bodyStyles?: Readonly<Record<string, ValueStyle>>;
}

interface ToolBase {
  readonly name: string;
  readonly title?: string;
  readonly description: string;
  readonly inputSchema: JsonObject;
  /** The output schema clients see: the declared one, or the projected answer's when `response` reshapes it. */
  readonly outputSchema?: JsonObject;
  /** The declared schema of the backend's raw answer, when a projection changes the published one or
   * when it is not published at all (`output_check: warn`). */
  readonly answerSchema?: JsonObject;
  /** `warn`: an answer that does not match answerSchema is logged and counted, and passes. */
  readonly outputCheck?: 'warn';
  /** What of the answer reaches the model (`response:` or an override). */
  readonly projection?: Projection;
  /** Arguments always sent (hidden from the model) and defaults for omitted ones (overrides). */
  readonly fixedArguments?: Readonly<Record<string, unknown>>;
  readonly argumentDefaults?: Readonly<Record<string, unknown>>;
  /** Arguments an override hid: never taken from the model. */
  readonly hiddenArguments?: readonly string[];
  /** The name it was declared, imported or federated under, when an override renamed it. */
  readonly originalName?: string;
  readonly annotations?: JsonObject;
  /** Served as `_meta` in tools/list (YAML `meta:`; imported tools carry `nexus/operation_id`). */
  readonly meta?: JsonObject;
  /** Where calls go: an HTTP backend, or the MCP server behind an upstream tool (id, timeout, limits). */
  readonly backend: BackendSpec;
  /** Effective auth: the tool's, else the backend's; absent means none. */
  readonly auth?: Exclude<AuthSpec, { type: 'none' }>;
  /** Per-caller limit for this tool. */
  readonly rateLimit?: RateLimitSpec;
  readonly cache?: { readonly ttlMs: number; readonly allowWriteMethods: boolean; readonly maxEntryBytes?: number };
  readonly auditArguments: boolean;
  /** Safe to send twice: retried on transient failures (YAML idempotent; default true for GET; absent: no). */
  readonly idempotent?: boolean;
  /** Where it was declared, for messages. */
  readonly source: { readonly file: string; readonly line: number };
}

/** A tool declared in YAML (or imported from OpenAPI): one HTTP request per call. */
export interface HttpToolSpec extends ToolBase {
  readonly kind: 'http';
  readonly request: RequestTemplate;
}

/** A tool of a federated MCP server, served under its namespaced name. */
export interface McpToolSpec extends ToolBase {
  readonly kind: 'mcp';
  /** The upstream server (its `name:` in the tool file) and the tool's own name there. */
  readonly upstream: { readonly server: string; readonly tool: string };
}

/** Every target kind; each has an invoker behind the call pipeline. */
export type ToolSpec = HttpToolSpec | McpToolSpec;
export type TargetKind = ToolSpec['kind'];

export type { AuthSpec, HttpMethod };

export interface UpstreamToolPolicySpec {
  readonly description?: string;
  readonly title?: string;
  readonly hide?: boolean;
  readonly cache?: { readonly ttlMs: number; readonly allowWriteMethods: boolean; readonly maxEntryBytes?: number };
  readonly rateLimit?: RateLimitSpec;
  readonly auditArguments?: boolean;
}

export type ServerTransport =
  | { readonly kind: 'http'; readonly url: URL; readonly protocol: 'auto' | '2025-11-25' | '2026-07-28' }
  | {
      readonly kind: 'stdio';
      readonly command: string;
      readonly args: readonly string[];
      readonly env: Readonly<Record<string, string>>;
      readonly cwd?: string;
    };

/** A federated MCP server (`servers:` in a tool file), normalised. */
export interface ServerSpec {
  readonly name: string;
  /** Namespace of its tools and prompts: `<prefix>__<tool>`. */
  readonly prefix: string;
  readonly transport: ServerTransport;
  /** Timeout, size cap, server-wide limit, TLS, proxy and static headers; id `mcp:<name>`. */
  readonly backend: BackendSpec;
  readonly auth?: Exclude<AuthSpec, { type: 'none' }>;
  /** Tool-list refresh besides list_changed. */
  readonly refreshMs: number;
  readonly include?: readonly string[];
  readonly exclude?: readonly string[];
  /** Per-tool policy, by upstream tool name or glob, in declaration order (later entries win). */
  readonly policies: ReadonlyArray<{ readonly pattern: string; readonly policy: UpstreamToolPolicySpec }>;
  /** The operator's answer to the server's roots/list (instead of relaying it to a client). */
  readonly roots?: ReadonlyArray<{ readonly uri: string; readonly name?: string }>;
  /** Resource URIs and templates are served as `<resourcePrefix>+<uri>` (off: as the upstream lists them). */
  readonly resourcePrefix?: string;
  readonly source: { readonly file: string; readonly line: number };
}
