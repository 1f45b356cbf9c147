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
    { name: 'backend', key: 'backend:x', rule: { requests: 100, perMs: 1_000 } },
  ]);
  const keys = [`${prefix}{rl}:tool:x:{odd}`, `${prefix}{rl}:backend:x`];
  const ttls = await Promise.all(keys.map((k) => a.pttl(k)));
  expect(ttls[0]).toBeGreaterThan(0);
  expect(ttls[0]).toBeLessThanOrEqual(6_000);
  expect(ttls[1]).toBeGreaterThan(0);
  expect(ttls[1]).toBeLessThanOrEqual(10);
  // Cluster hashes the text between the first { and the next }: the same for both keys.
  expect(keys.map((k) => /\{([^}]+)\}/.exec(k)?.[1])).toEqual(['rl', 'rl']);
});

test('a key prefix with braces is refused: it would move the hash tag', () => {
  expect(() => createRedisLimiter(a, { prefix: 'x{y}:' })).toThrow();
});
