// One simulated gateway instance for cache tests: its own Redis connections, cache, lock, coalescer.
import { createCoalescer } from '../../../src/cache/coalesce.ts';
import { createRedisFlightLock } from '../../../src/cache/flight-lock.ts';
import { createRedisCache } from '../../../src/cache/redis.ts';
import { createResponseCacheService } from '../../../src/cache/service.ts';
import type { RedisClient } from '../../../src/db/redis.ts';
import { connect, SHARED_REDIS_URL } from '../limiter/redis-fixture.ts';

export interface Instance {
  redis: RedisClient;
  subscriber: RedisClient;
  cache: ReturnType<typeof createRedisCache>;
  coalescer: ReturnType<typeof createCoalescer>;
  service: ReturnType<typeof createResponseCacheService>;
  close(): void;
}

/** `near` bytes of near cache, as a gateway has by default (0: none). */
export async function instance(
  prefix: string,
  opts: { url?: string; lockTtlMs?: number; commandTimeoutMs?: number; near?: number } = {},
): Promise<Instance> {
  const [redis, subscriber] = await Promise.all([
    connect(opts.url ?? SHARED_REDIS_URL, opts.commandTimeoutMs),
    connect(opts.url ?? SHARED_REDIS_URL, opts.commandTimeoutMs),
  ]);
  const cache = createRedisCache(redis, { prefix, maxEntryBytes: 1024, near: { subscriber, maxBytes: opts.near ?? 1 << 20 } });
  const lock = createRedisFlightLock({ redis, subscriber, prefix, ttlMs: opts.lockTtlMs ?? 3000, pollMs: 20 });
  const coalescer = createCoalescer({ lock });
  const service = createResponseCacheService({ cache, coalescer });
  return {
    redis,
    subscriber,
    cache,
    coalescer,
    service,
    close: () => {
      for (const c of [redis, subscriber]) c.disconnect();
    },
  };
}
