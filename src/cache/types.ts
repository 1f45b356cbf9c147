// The response-cache and coalescing ports. In-process implementations (memory.ts, coalesce.ts without a
// lock) and shared ones (redis.ts, coalesce.ts with flight-lock.ts) pass the same contract tests.

/** A successful backend answer as cached: any JSON value, stored as JSON text and returned deeply frozen. */
export interface CachedEntry {
  readonly value: unknown;
  /** Epoch ms when the answer was fetched. */
  readonly storedAt: number;
}

export interface ResponseCache {
  get(key: string): Promise<CachedEntry | undefined>;
  /** Stores for ttlMs; an entry over the per-entry cap is silently not stored. */
  set(key: string, entry: CachedEntry, ttlMs: number): Promise<void>;
  /** Removes the entries of one tool (or all) and says how many there were. */
  clear(tool?: string): Promise<number>;
}

export interface Coalesced<T> {
  readonly value: T;
  /** True when this caller waited for another caller's execution instead of running fn. */
  readonly coalesced: boolean;
}

export interface Coalescer {
  /**
   * Runs fn once for all identical calls in flight. `lookup` is how a waiter on another instance
   * finds the leader's answer (the cache); without it only in-instance calls are merged. `signal` is
   * this caller's: when it fires this caller stops waiting; fn's own signal fires only once no caller
   * (of any instance) waits any more.
   */
  run<T>(
    key: string,
    timeoutMs: number,
    fn: (signal: AbortSignal) => Promise<T>,
    lookup?: () => Promise<T | undefined>,
    signal?: AbortSignal,
  ): Promise<Coalesced<T>>;
}
