import { afterAll, beforeAll, expect, test } from 'bun:test';
import type { RedisClient } from '../../../src/db/redis.ts';
import { createRedisLimiter } from '../../../src/limiter/redis.ts';
import { limiterContract } from '../../unit/limiter/contract.ts';
import { cleanup, connect, uniquePrefix } from './redis-fixture.ts';

limiterContract('redis', async () => {
  const prefix = uniquePrefix();
  const redis = await connect();
  return { limiter: createRedisLimiter(redis, { prefix }), close: () => cleanup(prefix, redis) };
});

let prefix: string;
let a: RedisClient;
let b: RedisClient;
beforeAll(async () => {
  prefix = uniquePrefix();
  [a, b] = await Promise.all([connect(), connect()]);
});
afterAll(() => cleanup(prefix, a, b));

test('two gateway instances on separate connections together allow exactly 5 of 12 calls for 5 per minute', async () => {
  const one = createRedisLimiter(a, { prefix });
  const two = createRedisLimiter(b, { prefix });
  const rule = { requests: 5, perMs: 60_000 };
  const calls = Array.from({ length: 12 }, (_, i) => (i % 2 ? one : two).take('tool:jira.get:anonymous', rule));
  const decisions = await Promise.all(calls);
  expect(decisions.filter((d) => d.allowed).length).toBe(5);
  const refused = decisions.filter((d) => !d.allowed);
  expect(refused.length).toBe(7);
  for (const d of refused) expect(d.retryAfterMs).toBeGreaterThan(0);
});

test('every limiter key has a TTL no longer than its window and shares the {rl} hash tag', async () => {
  const limiter = createRedisLimiter(a, { prefix });
  await limiter.checkAll([
    { name: 'tool', key: 'tool:x:{odd}', rule: { requests: 10, perMs: 60_000 } },
    { name: 'backend', key: 'backend:x', rule: { requests: 4, perMs: 2_000 } },
  ]);
  const keys = [`${prefix}{rl}:tool:x:{odd}`, `${prefix}{rl}:backend:x`];
  const ttls = await Promise.all(keys.map((k) => a.pttl(k)));
  expect(ttls[0]).toBeGreaterThan(0);
  expect(ttls[0]).toBeLessThanOrEqual(6_000);
  expect(ttls[1]).toBeGreaterThan(0);
  expect(ttls[1]).toBeLessThanOrEqual(500); // one call's share of the window, not the window
  // Cluster hashes the text between the first { and the next }: the same for both keys.
  expect(keys.map((k) => /\{([^}]+)\}/.exec(k)?.[1])).toEqual(['rl', 'rl']);
});

test('a key prefix with braces is refused: it would move the hash tag', () => {
  expect(() => createRedisLimiter(a, { prefix: 'x{y}:' })).toThrow();
});

/** The client with a count of the scripts it sent (EVALSHA, or EVAL after NOSCRIPT). */
function counting(client: RedisClient) {
  const sent = { scripts: 0 };
  const spy = new Proxy(client, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if ((prop === 'evalsha' || prop === 'eval') && typeof v === 'function')
        return (...args: unknown[]) => {
          if (prop === 'evalsha') sent.scripts++;
          return v.apply(target, args);
        };
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  return { spy, sent };
}

test('calls made in the same turn are decided by one script run, exactly as one after another', async () => {
  const { spy, sent } = counting(a);
  const limiter = createRedisLimiter(spy, { prefix });
  const rule = { requests: 5, perMs: 60_000 };
  const decisions = await Promise.all(Array.from({ length: 8 }, () => limiter.take('tool:batch:one', rule)));
  expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, true, true, false, false, false]);
  expect(decisions.slice(0, 5).map((d) => d.remaining)).toEqual([4, 3, 2, 1, 0]);
  expect(sent.scripts).toBe(1);
});

test('a turn with more calls than maxBatch is split into runs of at most maxBatch calls', async () => {
  const { spy, sent } = counting(a);
  const limiter = createRedisLimiter(spy, { prefix, maxBatch: 3 });
  const rule = { requests: 6, perMs: 60_000 };
  const decisions = await Promise.all(Array.from({ length: 7 }, () => limiter.take('tool:batch:split', rule)));
  expect(decisions.map((d) => d.remaining)).toEqual([5, 4, 3, 2, 1, 0, 0]);
  expect(decisions[6]!.allowed).toBe(false);
  expect(sent.scripts).toBe(3);
});

test('when the script run fails, every call of the batch fails with it', async () => {
  const gone = await connect();
  gone.disconnect();
  const limiter = createRedisLimiter(gone, { prefix });
  const rule = { requests: 5, perMs: 60_000 };
  const results = await Promise.allSettled(Array.from({ length: 3 }, (_, i) => limiter.take(`tool:batch:${i}`, rule)));
  expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
});
