import { expect, test } from 'bun:test';
import { createCoalescer } from '../../../src/cache/coalesce.ts';
import { cacheKey } from '../../../src/cache/key.ts';
import { createMemoryCache } from '../../../src/cache/memory.ts';
import { cacheContract } from './contract.ts';

cacheContract('memory', async () => ({
  cache: createMemoryCache({ maxEntryBytes: 1024 }),
  coalescer: createCoalescer(),
  close: async () => {},
}));

const entry = (value: unknown) => ({ value, storedAt: 0 });

test('past its byte cap the cache evicts the least recently used entries first', async () => {
  const cache = createMemoryCache({ maxBytes: 1000, maxEntryBytes: 400 });
  const keys = [1, 2, 3].map((id) => cacheKey('t', { id }, 'none'));
  for (const k of keys.slice(0, 2)) await cache.set(k, entry('x'.repeat(250)), 60_000);
  await cache.get(keys[0]!);
  await cache.set(keys[2]!, entry('x'.repeat(250)), 60_000);
  expect(await Promise.all(keys.map(async (k) => (await cache.get(k)) !== undefined))).toEqual([true, false, true]);
  expect(cache.bytes()).toBeLessThanOrEqual(1000);
});

test('replacing or clearing entries gives their bytes back', async () => {
  let now = 0;
  const cache = createMemoryCache({ now: () => now });
  const key = cacheKey('t', {}, 'none');
  await cache.set(key, entry('a'.repeat(100)), 10);
  await cache.set(key, entry('b'), 10);
  const one = cache.bytes();
  expect(one).toBeLessThan(200);
  now = 20;
  expect(await cache.clear()).toBe(0);
  expect(cache.bytes()).toBe(0);
});
