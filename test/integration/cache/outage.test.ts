import { afterAll, beforeAll, expect, test } from 'bun:test';
import { cacheKey } from '../../../src/cache/key.ts';
import { backend } from '../../unit/cache/contract.ts';
import { until } from '../../unit/limiter/contract.ts';
import { type RedisChild, startRedisChild } from '../limiter/redis-fixture.ts';
import { type Instance, instance } from './redis-instance.ts';

const COMMAND_TIMEOUT = 100;
const policy = { ttlMs: 60_000 };
let child: RedisChild;
let one: Instance;
beforeAll(async () => {
  child = await startRedisChild();
  one = await instance('o:', { url: child.url, commandTimeoutMs: COMMAND_TIMEOUT });
});
afterAll(async () => {
  one.close();
  await child.stop();
});

/** True when a second fetch of a fresh key is served from the cache: Redis is back. */
async function caching(): Promise<boolean> {
  const key = cacheKey('t', { probe: crypto.randomUUID() }, 'none');
  const b = backend(() => 'probe');
  await one.service.fetch(key, policy, 1000, b.fn);
  return (await one.service.fetch(key, policy, 1000, b.fn)).source === 'cache';
}

test('with Redis killed, cached tools still answer from the backend without hanging, merged in-instance, and caching returns', async () => {
  expect(await caching()).toBe(true);
  await child.stop();
  const b = backend((n) => n);
  const key = cacheKey('t', { id: 1 }, 'none');
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    const got = await Promise.all([1, 2, 3].map(() => one.service.fetch(key, policy, 1000, b.fn)));
    expect(got.map((g) => g.value)).toEqual([i + 1, i + 1, i + 1]);
    expect(performance.now() - started).toBeLessThan(COMMAND_TIMEOUT + 150);
  }
  await child.start();
  await until(caching, 5000);
});

test('with Redis frozen, a cached tool answers within a few command timeouts', async () => {
  await until(caching, 5000);
  child.freeze();
  try {
    const started = performance.now();
    expect(await one.service.fetch(cacheKey('t', { id: 2 }, 'none'), policy, 1000, backend(() => 'ok').fn)).toEqual({
      value: 'ok',
      source: 'backend',
    });
    expect(performance.now() - started).toBeLessThan(3 * COMMAND_TIMEOUT + 150);
  } finally {
    child.thaw();
  }
});
