// Retries with jittered exponential backoff inside one time budget: an attempt gets what is left of
// the call's timeout, a wait the backend asks for (Retry-After) is honoured, and no retry starts that
// could not finish in time. Transport-neutral: the caller says which outcomes are worth another try.

export interface RetryPolicy {
  /** Extra attempts after the first (0: none). */
  readonly retries: number;
  /** First backoff; doubles each retry, full jitter, capped at maxDelayMs. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 2, baseDelayMs: 100, maxDelayMs: 2000 };

/** An attempt's outcome as the retry loop sees it. */
export interface Verdict {
  readonly retry: boolean;
  /** What the backend asked for (Retry-After), in ms. */
  readonly afterMs?: number;
}

export interface RetryOptions<R> {
  readonly policy: RetryPolicy;
  /** Epoch ms by which the whole call must be done. */
  readonly deadline: number;
  readonly judge: (result: R | undefined, error: unknown) => Verdict;
  /** Asked before each retry; false stops (an open breaker, the caller gone). */
  readonly mayRetry?: () => boolean;
  readonly onRetry?: () => void;
  readonly signal?: AbortSignal;
  readonly random?: () => number;
  readonly now?: () => number;
}

// An attempt needs some time to be worth starting
const MIN_ATTEMPT_MS = 50;

/** Runs attempt(remainingMs) until an outcome is final; returns the last result or throws the last error. */
export async function withRetries<R>(attempt: (remainingMs: number) => Promise<R>, o: RetryOptions<R>): Promise<R> {
  const now = o.now ?? Date.now;
  const random = o.random ?? Math.random;
  for (let n = 0; ; n++) {
    let result: R | undefined;
    let error: unknown;
    let failed = false;
    try {
      result = await attempt(Math.max(1, o.deadline - now()));
    } catch (e) {
      error = e;
      failed = true;
    }
    const final = () => {
      if (failed) throw error;
      return result as R;
    };
    if (n >= o.policy.retries || o.signal?.aborted) return final();
    const verdict = o.judge(result, error);
    if (!verdict.retry) return final();
    const backoff = random() * Math.min(o.policy.maxDelayMs, o.policy.baseDelayMs * 2 ** n);
    const wait = Math.max(backoff, verdict.afterMs ?? 0);
    if (now() + wait + MIN_ATTEMPT_MS > o.deadline) return final();
    if (o.mayRetry && !o.mayRetry()) return final();
    if (wait > 0 && !(await sleep(wait, o.signal))) return final();
    o.onRetry?.();
  }
}

/** false when the signal fired first. */
function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const done = (v: boolean) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', gone);
      resolve(v);
    };
    const gone = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal?.addEventListener('abort', gone, { once: true });
  });
}
