import { afterEach, beforeEach, expect, test } from 'bun:test';
import { cacheKey } from '../../../src/cache/key.ts';
import { NexusError } from '../../../src/errors.ts';
import { backend, cacheContract, gate, heldBackend } from '../../unit/cache/contract.ts';
import { until } from '../../unit/limiter/contract.ts';
import { cleanup, uniquePrefix } from '../limiter/redis-fixture.ts';
import { type Instance, instance } from './redis-instance.ts';

cacheContract('redis', async () => {
  const prefix = uniquePrefix();
  const one = await instance(prefix);
  return { cache: one.cache, coalescer: one.coalescer, close: () => cleanup(prefix, one.redis, one.subscriber) };
});

const policy = { ttlMs: 60_000 };
let prefix: string;
let a: Instance;
let b: Instance;
beforeEach(async () => {
  prefix = uniquePrefix();
  [a, b] = await Promise.all([instance(prefix, { lockTtlMs: 300 }), instance(prefix, { lockTtlMs: 300 })]);
  await Promise.all([a.cache.nearReady(), b.cache.nearReady()]);
});
afterEach(() => cleanup(prefix, a.redis, a.subscriber, b.redis, b.subscriber));

/** True once another instance is subscribed, waiting for the end of key's flight. */
const someoneWaits = (key: string) => async () => {
  const [, n] = (await a.redis.pubsub('NUMSUB', `${prefix}flight:${key}:done`)) as [string, number];
  return n > 0;
};

test('ten identical calls spread over two instances reach the backend once, all get the answer, the eleventh is a hit', async () => {
  const answered = gate();
  const b1 = backend(async (n) => {
    await answered.promise;
    return { ticket: 'T-1', n };
  });
  const key = cacheKey('jira.get', { id: 'T-1' }, 'jira@1');
  const calls = Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).service.fetch(key, policy, 5000, b1.fn));
  await until(someoneWaits(key));
  answered.open();
  const got = await Promise.all(calls);
  expect(b1.calls).toBe(1);
  expect(got.map((g) => g.value)).toEqual(Array(10).fill({ ticket: 'T-1', n: 1 }));
  expect(got.filter((g) => g.source === 'backend').length).toBe(1);
  expect(await a.service.fetch(key, policy, 5000, b1.fn)).toEqual({ value: { ticket: 'T-1', n: 1 }, source: 'cache' });
});

test('two instances asking at once for a fast backend run it once per distinct call, round after round', async () => {
  const b1 = backend((n) => n);
  for (let round = 0; round < 20; round++) {
    const key = cacheKey('t', { round }, 'none');
    const got = await Promise.all([a.service.fetch(key, policy, 5000, b1.fn), b.service.fetch(key, policy, 5000, b1.fn)]);
    expect(got[0]!.value).toBe(got[1]!.value);
  }
  expect(b1.calls).toBe(20);
});

test('other arguments or another credential identity reach the backend from each instance', async () => {
  const b1 = backend((n) => n);
  await Promise.all([
    a.service.fetch(cacheKey('t', { id: 1 }, 'c@1:alice'), policy, 5000, b1.fn),
    b.service.fetch(cacheKey('t', { id: 2 }, 'c@1:alice'), policy, 5000, b1.fn),
    b.service.fetch(cacheKey('t', { id: 1 }, 'c@1:bob'), policy, 5000, b1.fn),
  ]);
  expect(b1.calls).toBe(3);
});

test('when the leading instance dies, a waiting instance takes over within the lock TTL', async () => {
  const never = backend(() => new Promise<string>(() => {}));
  const b1 = backend(() => 'from b');
  const key = cacheKey('t', {}, 'none');
  void a.service.fetch(key, policy, 1000, never.fn).catch(() => {});
  await until(async () => (await b.redis.exists(`${prefix}flight:${key}`)) === 1);
  const waiting = b.service.fetch(key, policy, 5000, b1.fn);
  await until(someoneWaits(key));
  a.redis.disconnect();
  const died = performance.now();
  expect(await waiting).toEqual({ value: 'from b', source: 'backend' });
  expect(performance.now() - died).toBeLessThan(300 + 500);
  expect([never.calls, b1.calls]).toEqual([1, 1]);
});

test('when the leading instance fails, a waiting instance runs the call itself', async () => {
  const answered = gate();
  const failing = backend(async () => {
    await answered.promise;
    throw new NexusError('UPSTREAM_ERROR', 'backend said 500');
  });
  const b1 = backend(() => 'from b');
  const key = cacheKey('t', {}, 'none');
  const leading = a.service.fetch(key, policy, 5000, failing.fn).catch((e: NexusError) => e.code);
  await until(async () => (await b.redis.exists(`${prefix}flight:${key}`)) === 1);
  const waiting = b.service.fetch(key, policy, 5000, b1.fn);
  await until(someoneWaits(key));
  answered.open();
  expect(await leading).toBe('UPSTREAM_ERROR');
  expect(await waiting).toEqual({ value: 'from b', source: 'backend' });
});

test('when the caller on the leading instance leaves, the call goes on for the caller waiting on another', async () => {
  const held = heldBackend({ ticket: 'T-9' });
  const key = cacheKey('t', { id: 9 }, 'none');
  const leader = new AbortController();
  const leaving = a.service.fetch(key, policy, 5000, held.fn, () => leader.signal).catch((e: NexusError) => e.code);
  await until(() => held.calls === 1);
  const waiter = new AbortController();
  const waiting = b.service.fetch(key, policy, 5000, held.fn, () => waiter.signal);
  await until(someoneWaits(key));
  leader.abort();
  expect(await leaving).toBe('UNAVAILABLE');
  // a still sees b waiting, round after round: the call is not cancelled
  for (let i = 0; i < 5; i++) await until(async () => (await a.redis.zcard(`${prefix}flight:${key}:waiters`)) === 1);
  expect(held.signals[0]!.aborted).toBe(false);
  held.open();
  expect(await waiting).toEqual({ value: { ticket: 'T-9' }, source: 'coalesced' });
  expect(held.calls).toBe(1);
});

test('the leading instance cancels the call once the callers of every instance have left', async () => {
  const held = heldBackend('never');
  const key = cacheKey('t', { id: 10 }, 'none');
  const [leader, waiter] = [new AbortController(), new AbortController()];
  const leaving = a.service.fetch(key, policy, 5000, held.fn, () => leader.signal).catch((e: NexusError) => e.code);
  await until(() => held.calls === 1);
  const waiting = b.service.fetch(key, policy, 5000, held.fn, () => waiter.signal).catch((e: NexusError) => e.code);
  await until(someoneWaits(key));
  leader.abort();
  expect(await leaving).toBe('UNAVAILABLE');
  expect(held.signals[0]!.aborted).toBe(false);
  waiter.abort();
  expect(await waiting).toBe('UNAVAILABLE');
  await until(() => held.signals[0]!.aborted);
  await until(async () => (await a.redis.exists(`${prefix}flight:${key}`)) === 0); // the lock is released
});

test('a waiting instance gives up after its timeout with UPSTREAM_TIMEOUT', async () => {
  const answered = gate();
  const slow = backend(async () => {
    await answered.promise;
    return 'late';
  });
  const key = cacheKey('t', {}, 'none');
  const leading = a.service.fetch(key, policy, 5000, slow.fn);
  await until(async () => (await b.redis.exists(`${prefix}flight:${key}`)) === 1);
  const err = (await b.service.fetch(key, policy, 150, slow.fn).catch((e) => e)) as NexusError;
  expect(err.code).toBe('UPSTREAM_TIMEOUT');
  answered.open();
  expect(await leading).toEqual({ value: 'late', source: 'backend' });
  expect(slow.calls).toBe(1);
});

test('entries one instance stored are cleared through another, and the index forgets expired entries', async () => {
  for (const id of [1, 2, 3]) await a.cache.set(cacheKey('crm', { id }, 'none'), { value: id, storedAt: 0 }, id === 3 ? 60_000 : 30);
  const gone = async (id: number) => (await a.cache.get(cacheKey('crm', { id }, 'none'))) === undefined;
  await until(async () => (await gone(1)) && (await gone(2)));
  await a.cache.set(cacheKey('crm', { id: 4 }, 'none'), { value: 4, storedAt: 0 }, 60_000);
  expect(await b.redis.zcard(`${prefix}cache:{crm}:index`)).toBe(2);
  expect(await b.cache.clear('crm')).toBe(2);
  await until(async () => (await a.cache.get(cacheKey('crm', { id: 3 }, 'none'))) === undefined); // a hears of it over pub/sub
});

/** Counts the GETs an instance sends to Redis. */
function countGets(i: Instance) {
  const count = { n: 0 };
  const get = i.redis.get.bind(i.redis);
  i.redis.get = ((...args: Parameters<typeof get>) => {
    count.n++;
    return get(...args);
  }) as typeof i.redis.get;
  return count;
}

test('near cache: an answer another instance stored is read from Redis once, then held until Redis expires it', async () => {
  const gets = countGets(b);
  const key = cacheKey('near', { id: 1 }, 'none');
  await a.cache.set(key, { value: { n: 1 }, storedAt: 1 }, 400);
  for (let i = 0; i < 5; i++) expect(await b.cache.get(key)).toEqual({ value: { n: 1 }, storedAt: 1 });
  expect(gets.n).toBe(1);
  await until(async () => (await b.cache.get(key)) === undefined, 2000);
  expect(await b.redis.exists(`${prefix}cache:{near}:${key.split(':')[1]}`)).toBe(0); // gone from Redis too
});

test('near cache: a clear on one instance reaches the copies every other instance holds', async () => {
  const b1 = backend((n) => n);
  const key = cacheKey('near', { id: 2 }, 'none');
  expect((await a.service.fetch(key, policy, 5000, b1.fn)).source).toBe('backend');
  expect((await b.service.fetch(key, policy, 5000, b1.fn)).source).toBe('cache'); // b now holds it
  await a.cache.clear('near');
  await until(async () => (await b.cache.get(key)) === undefined);
  expect(await b.service.fetch(key, policy, 5000, b1.fn)).toEqual({ value: 2, source: 'backend' });
  await a.cache.set(key, { value: 'x', storedAt: 0 }, 60_000);
  await b.cache.get(key);
  await a.cache.clear(); // all tools
  await until(async () => (await b.cache.get(key)) === undefined);
});

test('near cache: while its subscription is down an instance asks Redis every time, and forgets what it held', async () => {
  const key = cacheKey('near', { id: 3 }, 'none');
  await a.cache.set(key, { value: 3, storedAt: 0 }, 60_000);
  await b.cache.get(key);
  const gets = countGets(b);
  b.subscriber.disconnect();
  await until(() => b.subscriber.status !== 'ready');
  await a.redis.del(`${prefix}cache:{near}:${key.split(':')[1]}`); // removed without a message b could hear
  expect(await b.cache.get(key)).toBeUndefined();
  expect(gets.n).toBe(1);
});
