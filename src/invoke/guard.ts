// What stands between a call and its target, for any kind of target (HTTP backend, MCP upstream):
// admission (a budget of calls in flight per backend), the backend's circuit breaker, and retries of
// idempotent calls on transient failures, all within the call's one timeout.
import type { Invoker } from '../call/types.ts';
import { isNexusError, type NexusError } from '../errors.ts';
import type { Labels, Metrics } from '../metrics.ts';
import type { ToolSpec } from '../registry/spec.ts';
import { memoize } from '../util/memo.ts';
import type { Admission } from './admission.ts';
import type { AttemptOutcome, Breaker } from './breaker.ts';
import { type RetryPolicy, type Verdict, withRetries } from './retry.ts';

/** What the guard reads of an attempt's result (ToolResult fits). */
export interface GuardedResult {
  readonly isError: boolean;
  readonly status?: number;
  /** Seconds the target asked the caller to wait (Retry-After). */
  readonly retryAfter?: number;
}

export interface GuardTarget {
  /** The backend's identity: the key of its budget and breaker. */
  readonly key: string;
  /** Its budget of calls in flight. */
  readonly maxConcurrency: number;
  readonly timeoutMs: number;
  /** Safe to send twice: only then is a call retried. */
  readonly idempotent: boolean;
}

export interface GuardDeps {
  /** Budget of calls in flight for a backend that sets no max_concurrency. */
  readonly defaultConcurrency: number;
  readonly admission?: Admission;
  readonly breaker?: Breaker;
  readonly retry?: RetryPolicy;
  readonly metrics?: Metrics;
}

/** Runs one attempt with what is left of the timeout (ms). */
export type Attempt<R> = (remainingMs: number) => Promise<R>;

export interface Guard {
  <R extends GuardedResult>(target: GuardTarget, attempt: Attempt<R>, signal?: AbortSignal): Promise<R>;
  readonly defaultConcurrency: number;
}

const RETRY_STATUS = new Set([502, 503, 504]);
// connection failures where the request never reached the backend's application
const RETRY_REASONS = new Set(['refused', 'network']);

function outcomeOf(result: GuardedResult | undefined, error: unknown): AttemptOutcome {
  if (result) return result.status !== undefined && RETRY_STATUS.has(result.status) ? 'failed' : 'ok';
  if (!isNexusError(error)) return 'neutral';
  return error.code === 'UPSTREAM_TIMEOUT' || error.code === 'UPSTREAM_UNREACHABLE' ? 'failed' : 'neutral';
}

function verdict(result: GuardedResult | undefined, error: unknown): Verdict {
  if (result) {
    if (result.status === undefined || !RETRY_STATUS.has(result.status)) return { retry: false };
    return { retry: true, ...(result.retryAfter !== undefined && { afterMs: result.retryAfter * 1000 }) };
  }
  const e = error as NexusError;
  return { retry: isNexusError(e) && e.code === 'UPSTREAM_UNREACHABLE' && RETRY_REASONS.has(String(e.details?.reason)) };
}

export function createGuard(deps: GuardDeps): Guard {
  const { admission, breaker, retry, metrics } = deps;
  const retryLabels = memoize((backend: string): Labels => ({ backend }), 10_000);

  const guard = async <R extends GuardedResult>(target: GuardTarget, attempt: Attempt<R>, signal?: AbortSignal): Promise<R> => {
    const release = admission?.enter(target.key, target.maxConcurrency);
    try {
      const guarded = breaker
        ? async (remaining: number) => {
            const probe = breaker.enter(target.key);
            try {
              const result = await attempt(remaining);
              breaker.record(target.key, outcomeOf(result, undefined), probe);
              return result;
            } catch (e) {
              breaker.record(target.key, outcomeOf(undefined, e), probe);
              throw e;
            }
          }
        : attempt;
      if (!retry || retry.retries <= 0 || !target.idempotent) return await guarded(target.timeoutMs);
      return await withRetries(guarded, {
        policy: retry,
        deadline: Date.now() + target.timeoutMs,
        judge: verdict,
        ...(breaker && { mayRetry: () => breaker.state(target.key) === 'closed' }),
        onRetry: () => metrics?.inc('nexus_backend_retries_total', retryLabels(target.key)),
        ...(signal && { signal }),
      });
    } finally {
      release?.();
    }
  };
  return Object.assign(guard, { defaultConcurrency: deps.defaultConcurrency });
}

/** Any invoker behind the guard, keyed by its tool's backend; each attempt gets what is left of the timeout. */
export function guardInvoker<T extends ToolSpec>(guard: Guard, invoker: Invoker<T>): Invoker<T> {
  return (tool, args, caller, ctx) =>
    guard(
      {
        key: tool.backend.id,
        maxConcurrency: tool.backend.maxConcurrency ?? guard.defaultConcurrency,
        timeoutMs: tool.backend.timeoutMs,
        idempotent: tool.idempotent === true,
      },
      (timeoutMs) => invoker(tool, args, caller, { ...ctx, timeoutMs }),
      ctx.signal,
    );
}
