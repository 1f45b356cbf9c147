import { expect, test } from 'bun:test';
import { createMemoryLimiter } from '../../../src/limiter/memory.ts';
import { limiterContract } from './contract.ts';

limiterContract('memory', async () => ({ limiter: createMemoryLimiter(), close: async () => {} }));

test('a rule of N per window allows a call every window/N after the burst, never more', async () => {
  let now = 1_000_000;
  const limiter = createMemoryLimiter({ now: () => now });
  const rule = { requests: 3, perMs: 1000 };
  for (let i = 0; i < 3; i++) expect((await limiter.take('k', rule)).allowed).toBe(true);
  expect(await limiter.take('k', rule)).toEqual({ allowed: false, remaining: 0, retryAfterMs: 334, limit: 3 });
  now += 333;
  expect((await limiter.take('k', rule)).allowed).toBe(false);
  now += 1;
  expect(await limiter.take('k', rule)).toEqual({ allowed: true, remaining: 0, retryAfterMs: 0, limit: 3 });
});

test('over a long run a limiter allows the declared rate and no more', async () => {
  let now = 0;
  const limiter = createMemoryLimiter({ now: () => now });
  const rule = { requests: 5, perMs: 60_000 };
  let allowed = 0;
  for (; now < 600_000; now += 250) if ((await limiter.take('k', rule)).allowed) allowed++;
  expect(allowed).toBe(5 + 600_000 / 12_000 - 1);
});

test('keys whose budget is whole again hold no memory', async () => {
  let now = 0;
  const limiter = createMemoryLimiter({ now: () => now });
  for (let i = 0; i < 5000; i++) await limiter.take(`k${i}`, { requests: 10, perMs: 1000 });
  expect(limiter.size()).toBe(5000);
  now += 50;
  expect(limiter.size()).toBe(5000);
  now += 60;
  await limiter.take('fresh', { requests: 10, perMs: 1000 });
  expect(limiter.size()).toBe(1);
});
