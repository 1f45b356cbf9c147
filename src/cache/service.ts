// The one function the call pipeline uses: cache lookup -> coalesce identical calls -> fn -> store
// the answer when fn says it is cacheable. The cache is best effort: when it fails, calls go on.
import { createOutageLog } from '../db/redis.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import { memoize } from '../util/memo.ts';
import { toolOfKey } from './key.ts';
import type { CachedEntry, Coalescer, ResponseCache } from './types.ts';

/** What fn answers: the value, and whether it may be cached (a backend error result may not). */
export interface Answer<T> {
  readonly value: T;
  readonly cacheable: boolean;
}

/** A tool's cache settings (ToolSpec.cache fits). Absent: no caching and no coalescing. */
export interface CachePolicy {
  readonly ttlMs: number;
  /** Answers larger than this (UTF-8 JSON bytes) are not cached. */
  readonly maxEntryBytes?: number;
}

export type AnswerSource = 'cache' | 'backend' | 'coalesced';

export interface ResponseCacheService {
  /**
   * Serves key from the cache, else runs fn once for all identical calls in flight (waiters give up
   * after timeoutMs with UPSTREAM_TIMEOUT). An error thrown by fn reaches every in-instance waiter and
   * is never cached. `signal` is this caller's, read only on a miss; fn gets one that fires only when no caller waits.
   */
  fetch<T>(
    key: string,
    policy: CachePolicy | undefined,
    timeoutMs: number,
    fn: (signal?: AbortSignal) => Promise<Answer<T>>,
    signal?: () => AbortSignal | undefined,
  ): Promise<{ value: T; source: AnswerSource }>;
  /** `nexus cache clear [TOOL]` and the admin endpoint. */
  clear(tool?: string): Promise<number>;
}

export interface ResponseCacheServiceOptions {
  cache: ResponseCache;
  coalescer: Coalescer;
  log?: Logger;
  metrics?: Metrics;
}

export const CACHE_METRICS = {
  hits: 'nexus_cache_hits_total',
  misses: 'nexus_cache_misses_total',
  coalesced: 'nexus_cache_coalesced_total',
  unavailable: 'nexus_cache_unavailable_total',
} as const;

export function createResponseCacheService(opts: ResponseCacheServiceOptions): ResponseCacheService {
  const { cache, coalescer, metrics } = opts;
  const report = opts.log ? createOutageLog(opts.log, 30_000) : () => {};
  const failed = (op: string) => (e: unknown) => {
    metrics?.inc(CACHE_METRICS.unavailable, { op });
    report(`response cache ${op}`, e);
    return undefined;
  };
  const read = (key: string): Promise<CachedEntry | undefined> => cache.get(key).catch(failed('get'));
  const toolLabels = memoize((tool: string) => ({ tool }), 10_000); // one label object per tool: metrics key it once
  const fits = (value: unknown, max?: number) => max === undefined || Buffer.byteLength(JSON.stringify(value)) <= max;

  return {
    async fetch<T>(
      key: string,
      policy: CachePolicy | undefined,
      timeoutMs: number,
      fn: (signal?: AbortSignal) => Promise<Answer<T>>,
      signal?: () => AbortSignal | undefined,
    ) {
      if (!policy) return { value: (await fn(signal?.())).value, source: 'backend' as const };
      const labels = toolLabels(toolOfKey(key));
      const hit = await read(key);
      if (hit) {
        metrics?.inc(CACHE_METRICS.hits, labels);
        return { value: hit.value as T, source: 'cache' as const };
      }
      metrics?.inc(CACHE_METRICS.misses, labels);
      const leader = async (flightSignal: AbortSignal) => {
        const answer = await fn(flightSignal);
        if (answer.cacheable && fits(answer.value, policy.maxEntryBytes)) {
          await cache.set(key, { value: answer.value, storedAt: Date.now() }, policy.ttlMs).catch(failed('set'));
        }
        return answer.value;
      };
      const lookup = async () => (await read(key))?.value as T | undefined;
      const { value, coalesced } = await coalescer.run(key, timeoutMs, leader, lookup, signal?.());
      if (coalesced) metrics?.inc(CACHE_METRICS.coalesced, labels);
      return { value, source: coalesced ? ('coalesced' as const) : ('backend' as const) };
    },
    clear: (tool) => cache.clear(tool),
  };
}
