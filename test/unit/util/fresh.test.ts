// Values read from the store: fresh for a while, re-read after, and served stale only while the store
// does not answer and only within the grace period.
import { expect, test } from 'bun:test';
import { NexusError } from '../../../src/errors.ts';
import { createFresh } from '../../../src/util/fresh.ts';

const clock = () => {
  const c = { t: 1_000_000, now: () => c.t };
  return c;
};
const down = () => Promise.reject(new NexusError('UNAVAILABLE', 'PostgreSQL did not answer within 2s (statement)'));

test('a value is reused while fresh, then read again', async () => {
  const c = clock();
  const f = createFresh<number>({ freshMs: 1000, graceMs: 60_000, max: 10, now: c.now });
  let reads = 0;
  const load = async () => ++reads;
  expect(await f.get('k', load)).toEqual({ value: 1, stale: false });
  c.t += 999;
  expect(await f.get('k', load)).toEqual({ value: 1, stale: false });
  c.t += 2;
  expect(await f.get('k', load)).toEqual({ value: 2, stale: false });
});

test('while the store does not answer, a value within the grace period is served stale; past it the error comes through', async () => {
  const c = clock();
  let stale = 0;
  const f = createFresh<string>({ freshMs: 1000, graceMs: 10_000, max: 10, now: c.now, onStale: () => stale++ });
  await f.get('k', async () => 'v');
  c.t += 5000;
  expect(await f.get('k', down)).toEqual({ value: 'v', stale: true });
  expect(await f.get('k', down)).toEqual({ value: 'v', stale: true });
  c.t += 6000;
  expect(((await f.get('k', down).catch((e) => e)) as NexusError).code).toBe('UNAVAILABLE');
  expect(stale).toBe(2);
});

test('other errors are never hidden, a dropped value is not served stale, and stale() forces a re-read', async () => {
  const c = clock();
  const f = createFresh<string>({ freshMs: 1000, graceMs: 10_000, max: 10, now: c.now });
  await f.get('k', async () => 'v');
  c.t += 2000;
  const broken = (await f.get('k', () => Promise.reject(new NexusError('VAULT_ERROR', 'altered'))).catch((e) => e)) as NexusError;
  expect(broken.code).toBe('VAULT_ERROR');
  await f.get('k', async () => 'w');
  f.stale('k');
  expect(await f.get('k', async () => 'x')).toEqual({ value: 'x', stale: false });
  f.drop('k');
  expect(((await f.get('k', down).catch((e) => e)) as NexusError).code).toBe('UNAVAILABLE');
});
