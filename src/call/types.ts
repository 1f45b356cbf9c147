// What the call pipeline is given (ports, passed in by app.ts) and what it returns.
import type { Caller } from '../caller.ts';
import type { NexusError } from '../errors.ts';
import type { ToolResult } from '../invoke/result.ts';
import type { CredentialIdentity } from '../invoke/types.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import type { Registry } from '../registry/registry.ts';
import type { TargetKind, ToolSpec } from '../registry/spec.ts';
import type { Tracer } from '../trace/tracer.ts';

/** Requests an MCP upstream may make of the client while a call runs. */
export type ClientRequestMethod = 'sampling/createMessage' | 'elicitation/create' | 'roots/list';

/**
 * The way back to the client that made a call, for an upstream's sampling, elicitation and roots
 * requests (src/mcp/relay.ts builds one per call the client's revision and capabilities allow).
 */
export interface ClientChannel {
  /** `2025-11-25 stream` or `2026-07-28 input_required`: how requests reach this client (for messages). */
  readonly via: string;
  /** What the client declared it can answer (`sampling`, `elicitation`, `roots` of its capabilities). */
  readonly capabilities: Readonly<Record<string, unknown>>;
  /** Sends one request to the client and resolves with its result; rejects when it errs or `signal` aborts. */
  ask(method: ClientRequestMethod, params: Record<string, unknown>, signal: AbortSignal): Promise<Record<string, unknown>>;
}

export interface CallContext {
  readonly requestId?: string;
  readonly signal?: AbortSignal;
  /** Progress the target reports while the call runs (MCP upstreams), relayed to the client. */
  readonly onProgress?: (progress: Progress) => void;
  /** The client's channel for an upstream's requests (sampling, elicitation, roots), when it has one. */
  readonly client?: ClientChannel;
  /** Narrows the tools callable here (a tool set's endpoint); others are refused as unknown. */
  readonly within?: (tool: string) => boolean;
}

export interface Progress {
  readonly progress: number;
  readonly total?: number;
  readonly message?: string;
}

/** What an invoker gets for one call besides the tool and its validated arguments. */
export interface InvokeContext {
  readonly requestId?: string;
  readonly signal?: AbortSignal;
  /** This attempt's share of the tool's timeout (retries split one budget); default the whole timeout. */
  readonly timeoutMs?: number;
  readonly onProgress?: (progress: Progress) => void;
  readonly client?: ClientChannel;
}

/**
 * The port behind the pipeline for one kind of target: sends one call (credential injection, the
 * target's own retry rules such as one OAuth refresh on 401) and shapes the answer. Failures to
 * reach the target are thrown as NexusError; the target's own errors are isError results.
 */
export type Invoker<T extends ToolSpec = ToolSpec> = (
  tool: T,
  args: Record<string, unknown>,
  caller: Caller,
  ctx: InvokeContext,
) => Promise<ToolResult>;

/** One invoker per target kind; a wrapper (retries, breaker, spans) wraps any of them. */
export type Invokers = { readonly [K in TargetKind]?: Invoker<Extract<ToolSpec, { kind: K }>> };

export interface CallOutcome {
  readonly result: ToolResult;
  readonly source: 'backend' | 'cache' | 'coalesced';
  readonly tool: ToolSpec;
  /** The failure behind an isError result (timeout, unreachable, credential), for REST status mapping. */
  readonly error?: NexusError;
}

export interface AuditEntry {
  time: number;
  requestId?: string;
  caller: string;
  tool: string;
  /** A call's outcome, or a change to the tool set (reload): then `args` is `{ old?, new? }` definition hashes. */
  outcome: 'ok' | 'denied' | 'limited' | 'invalid' | 'error' | 'timeout' | 'tool_added' | 'tool_changed' | 'tool_removed';
  backendStatus?: number;
  latencyMs?: number;
  cache?: 'hit' | 'miss' | 'coalesced';
  limit?: string;
  argsHash?: string;
  args?: unknown;
  error?: string;
  /** W3C ids of the call's span, when traced: join an audit row with its trace and log lines. */
  traceId?: string;
  spanId?: string;
}

/** Serves a cacheable call from the cache, or runs `fn` once for all identical callers. */
export interface ResponseService {
  fetch(
    tool: ToolSpec,
    args: Record<string, unknown>,
    credentialIdentity: string,
    fn: (signal?: AbortSignal) => Promise<ToolResult>,
    /** The arguments' digest (`hashArgs`), when computed already. */
    digest?: string,
    /** The caller's, read only on a miss; fn's own fires only when no identical caller waits any more. */
    signal?: () => AbortSignal | undefined,
  ): Promise<{ value: ToolResult; source: 'backend' | 'cache' | 'coalesced' }>;
}

export interface CallDeps {
  readonly registry: Registry;
  readonly canUse?: (caller: Caller, tool: string) => boolean;
  /** Checks every limit that applies; throws RATE_LIMITED; may return a label of the limits checked. */
  readonly limits?: (tool: ToolSpec, caller: Caller) => Promise<string | undefined>;
  readonly responses?: ResponseService;
  /** Where calls go, per target kind (`http`: YAML tools; `mcp`: federated servers). */
  readonly invokers: Invokers;
  readonly credentialIdentity?: CredentialIdentity;
  readonly audit?: (entry: AuditEntry) => void;
  readonly hashArgs?: (args: unknown) => string;
  readonly metrics?: Metrics;
  readonly log?: Logger;
  readonly tracer?: Tracer;
}
