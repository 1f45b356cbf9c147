// Per-call overhead of the limiter and the cache-hit path, in-process and on Redis.
// Usage: bun scripts/bench/limiter-cache.ts [ops]   (REDIS_URL, default redis://127.0.0.1:6379)
import { createCoalescer } from '../../src/cache/coalesce.ts';
import { createRedisFlightLock } from '../../src/cache/flight-lock.ts';
import { cacheKey } from '../../src/cache/key.ts';
import { createMemoryCache } from '../../src/cache/memory.ts';
import { createRedisCache } from '../../src/cache/redis.ts';
import { createResponseCacheService, type ResponseCacheService } from '../../src/cache/service.ts';
import { openRedis, redisReady } from '../../src/db/redis.ts';
import { openScriptConnection } from '../../src/db/script-connection.ts';
import { createMemoryLimiter } from '../../src/limiter/memory.ts';
import { createRedisLimiter } from '../../src/limiter/redis.ts';
import type { LimitCheck, Limiter } from '../../src/limiter/types.ts';
import { createLogger } from '../../src/log.ts';

const OPS = Number(process.argv[2] ?? 20_000);
const WARMUP = 500;
const log = createLogger({ level: 'warn' });
const prefix = `bench_${crypto.randomUUID().slice(0, 8)}:`;

async function measure(run: () => Promise<unknown>): Promise<{ median: number; p99: number; opsPerSec: number; cpuUs: number }> {
  for (let i = 0; i < WARMUP; i++) await run();
  const us = new Float64Array(OPS);
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < OPS; i++) {
    const t = performance.now();
    await run();
    us[i] = (performance.now() - t) * 1000;
  }
  const total = performance.now() - start;
  const cpu = process.cpuUsage(cpu0);
  us.sort();
  const cpuUs = (cpu.user + cpu.system) / OPS; // this process only: the client's share of a call
  return { median: us[Math.floor(OPS / 2)]!, p99: us[Math.floor(OPS * 0.99)]!, opsPerSec: (OPS / total) * 1000, cpuUs };
}

// A typical call: tool per caller, backend for all, gateway per caller; budgets never run out here.
const checks: LimitCheck[] = [
  { name: 'tool', key: 'tool:jira.get:key:alice', rule: { requests: 1e9, perMs: 1000 } },
  { name: 'backend', key: 'backend:jira', rule: { requests: 1e9, perMs: 1000 } },
  { name: 'caller', key: 'caller:key:alice', rule: { requests: 1e9, perMs: 1000 } },
];
const limit = (limiter: Limiter) => () => limiter.checkAll(checks);

const answer = { content: [{ type: 'text', text: JSON.stringify({ key: 'T-1', summary: 'x'.repeat(400) }) }], isError: false };
const key = cacheKey('jira.get', { id: 'T-1', fields: ['summary', 'status'] }, 'jira@1');
async function hitPath(service: ResponseCacheService) {
  const fn = async () => ({ value: answer, cacheable: true });
  await service.fetch(key, { ttlMs: 600_000 }, 1000, fn);
  return async () => {
    if ((await service.fetch(key, { ttlMs: 600_000 }, 1000, fn)).source !== 'cache') throw new Error('expected a cache hit');
  };
}

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const redis = openRedis(redisUrl, { log });
const subscriber = openRedis(redisUrl, { log });
const scripts = openScriptConnection(redisUrl, { log });
await Promise.all([redisReady(redis), redisReady(subscriber), scripts?.ready()]);
const lock = createRedisFlightLock({ redis, subscriber, prefix });

const rows: [string, () => Promise<unknown>][] = [
  ['memory limiter, 3 rules', limit(createMemoryLimiter())],
  ['redis limiter, 3 rules (1 round trip)', limit(createRedisLimiter(redis, { prefix }))],
  ...(scripts
    ? [['redis limiter over Bun client', limit(createRedisLimiter(scripts.run, { prefix }))] as [string, () => Promise<unknown>]]
    : []),
  [
    'memory cache hit (service.fetch)',
    await hitPath(createResponseCacheService({ cache: createMemoryCache(), coalescer: createCoalescer() })),
  ],
  [
    'redis cache hit (service.fetch)',
    await hitPath(createResponseCacheService({ cache: createRedisCache(redis, { prefix }), coalescer: createCoalescer({ lock }) })),
  ],
];

console.log(`${OPS} sequential ops each, after ${WARMUP} warm-up; Redis ${redisUrl.replace(/:[^:@/]*@/, ':***@')}\n`);
console.log(
  `${'path'.padEnd(40)} ${'median µs'.padStart(10)} ${'p99 µs'.padStart(10)} ${'ops/s'.padStart(10)} ${'CPU µs/op'.padStart(10)}`,
);
try {
  for (const [name, run] of rows) {
    const r = await measure(run);
    console.log(
      `${name.padEnd(40)} ${r.median.toFixed(1).padStart(10)} ${r.p99.toFixed(1).padStart(10)} ${Math.round(r.opsPerSec).toString().padStart(10)} ${r.cpuUs.toFixed(1).padStart(10)}`,
    );
  }
} finally {
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    if (found.length) await redis.del(...found);
    cursor = next;
  } while (cursor !== '0');
  redis.disconnect();
  subscriber.disconnect();
  scripts?.close();
}
