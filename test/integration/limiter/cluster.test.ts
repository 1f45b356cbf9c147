// Keys of one script must share a slot: run the limiter, the cache and coalescing on a real Cluster.
import { afterAll, beforeAll, expect, test } from 'bun:test';
import type { Cluster } from 'ioredis';
import { createCoalescer } from '../../../src/cache/coalesce.ts';
import { createRedisFlightLock } from '../../../src/cache/flight-lock.ts';
import { cacheKey } from '../../../src/cache/key.ts';
import { createRedisCache } from '../../../src/cache/redis.ts';
import { createResponseCacheService } from '../../../src/cache/service.ts';
import type { RedisClient } from '../../../src/db/redis.ts';
import { createRedisLimiter } from '../../../src/limiter/redis.ts';
import { backend, gate } from '../../unit/cache/contract.ts';
import { until } from '../../unit/limiter/contract.ts';
import { connect, startRedisCluster } from './redis-fixture.ts';

let cluster: Awaited<ReturnType<typeof startRedisCluster>>;
let clients: RedisClient[];
beforeAll(async () => {
  cluster = await startRedisCluster();
  clients = await Promise.all([1, 2, 3, 4].map(() => connect(cluster.url, 1000)));
}, 20_000); // redis-cli --cluster create waits for the nodes to agree in steps of a second
afterAll(async () => {
  for (const c of clients ?? []) c.disconnect();
  await cluster?.stop();
});

test('on a Cluster one script checks limits whose keys would hash to different slots', async () => {
  const limiter = createRedisLimiter(clients[0]!, { prefix: 'n:' });
  const rule = { requests: 1, perMs: 60_000 };
  const checks = ['tool:a:alice', 'backend:jira', 'caller:bob', 'session:x'].map((key) => ({ name: key, key, rule }));
  expect((await limiter.checkAll(checks)).allowed).toBe(true);
  expect((await limiter.checkAll(checks)).allowed).toBe(false);
});

test('on a Cluster two instances coalesce through pub/sub, cache the answer and clear it', async () => {
  const service = (redis: RedisClient, subscriber: RedisClient) =>
    createResponseCacheService({
      cache: createRedisCache(redis, { prefix: 'n:' }),
      coalescer: createCoalescer({ lock: createRedisFlightLock({ redis, subscriber, prefix: 'n:', pollMs: 10_000 }) }),
    });
  const [a, b] = [service(clients[0]!, clients[1]!), service(clients[2]!, clients[3]!)];
  const answered = gate();
  const b1 = backend(async () => {
    await answered.promise;
    return 'ok';
  });
  const key = cacheKey('jira.get', { id: 1 }, 'none');
  const calls = Array.from({ length: 6 }, (_, i) => (i % 2 ? a : b).fetch(key, { ttlMs: 60_000 }, 5000, b1.fn));
  // A subscriber sits on one node of its choosing: count them on every node.
  const nodes = (clients[0] as Cluster).nodes('master');
  const subscribers = async () => {
    const counts = await Promise.all(nodes.map((n) => n.pubsub('NUMSUB', `n:flight:${key}:done`) as Promise<[string, number]>));
    return counts.reduce((sum, [, n]) => sum + n, 0);
  };
  await until(async () => (await subscribers()) > 0);
  answered.open();
  const started = performance.now();
  expect((await Promise.all(calls)).map((c) => c.value)).toEqual(Array(6).fill('ok'));
  expect(performance.now() - started).toBeLessThan(1000); // woken by the notification, not the 10s poll
  expect(b1.calls).toBe(1);
  expect(await a.fetch(key, { ttlMs: 60_000 }, 5000, b1.fn)).toEqual({ value: 'ok', source: 'cache' });
  expect(await b.clear()).toBe(1);
});
