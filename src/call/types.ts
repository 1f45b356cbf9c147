// What the call pipeline is given (ports, passed in by app.ts) and what it returns.
import type { Caller } from '../caller.ts';
import type { NexusError } from '../errors.ts';
import type { HttpOptions } from '../invoke/http.ts';
import type { ToolResult } from '../invoke/result.ts';
import type { ApplyAuth, CredentialIdentity } from '../invoke/types.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import type { Registry } from '../registry/registry.ts';
import type { ToolSpec } from '../registry/spec.ts';

export interface CallContext {
  readonly requestId?: string;
  readonly signal?: AbortSignal;
}

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
  outcome: 'ok' | 'denied' | 'limited' | 'invalid' | 'error' | 'timeout';
  backendStatus?: number;
  latencyMs?: number;
  cache?: 'hit' | 'miss' | 'coalesced';
  limit?: string;
  argsHash?: string;
  args?: unknown;
  error?: string;
}

/** Serves a cacheable call from the cache, or runs `fn` once for all identical callers. */
export interface ResponseService {
  fetch(
    tool: ToolSpec,
    args: Record<string, unknown>,
    credentialIdentity: string,
    fn: () => Promise<ToolResult>,
    /** The arguments' digest (`hashArgs`), when computed already. */
    digest?: string,
  ): Promise<{ value: ToolResult; source: 'backend' | 'cache' | 'coalesced' }>;
}

export interface CallDeps {
  readonly registry: Registry;
  readonly canUse?: (caller: Caller, tool: string) => boolean;
  /** Checks every limit that applies; throws RATE_LIMITED; may return a label of the limits checked. */
  readonly limits?: (tool: ToolSpec, caller: Caller) => Promise<string | undefined>;
  readonly responses?: ResponseService;
  readonly applyAuth?: ApplyAuth;
  readonly credentialIdentity?: CredentialIdentity;
  readonly audit?: (entry: AuditEntry) => void;
  readonly hashArgs?: (args: unknown) => string;
  readonly metrics?: Metrics;
  readonly log?: Logger;
  readonly http?: HttpOptions;
}
