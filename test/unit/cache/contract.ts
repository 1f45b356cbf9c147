// One behaviour contract for every ResponseCache + Coalescer pair (memory here, Redis in test/integration).
import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import { cacheKey } from '../../../src/cache/key.ts';
import { type Answer, CACHE_METRICS, createResponseCacheService, type ResponseCacheService } from '../../../src/cache/service.ts';
import type { Coalescer, ResponseCache } from '../../../src/cache/types.ts';
import { NexusError } from '../../../src/errors.ts';
import { createMetrics, type Metrics } from '../../../src/metrics.ts';
import { until } from '../limiter/contract.ts';

export interface CacheFixture {
  /** Built with a per-entry cap of 1024 bytes. */
  cache: ResponseCache;
  coalescer: Coalescer;
  close(): Promise<void>;
}

/** A promise the test settles by hand: a backend that answers when told to. */
export function gate<T = void>() {
  let open!: (v: T) => void;
  let fail!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    open = res;
    fail = rej;
  });
  return { promise, open, fail };
}

/** A backend that answers when told to and shows the signal it was given (aborted: the call was cancelled). */
export function heldBackend<T>(value: T) {
  const answered = gate();
  const b = {
    calls: 0,
    signals: [] as AbortSignal[],
    open: () => answered.open(),
    fn: async (signal?: AbortSignal): Promise<Answer<T>> => {
      b.calls++;
      if (signal) b.signals.push(signal);
      await Promise.race([
        answered.promise,
        new Promise((_, reject) => signal?.addEventListener('abort', () => reject(new NexusError('UNAVAILABLE', 'call cancelled')))),
      ]);
      return { value, cacheable: true };
    },
  };
  return b;
}

/** A stand-in backend: counts its calls, answers with its argument. */
export function backend<T>(answer: (n: number) => T | Promise<T>, cacheable = true) {
  const b = { calls: 0, fn: async (): Promise<Answer<T>> => ({ value: await answer(++b.calls), cacheable }) };
  return b;
}

const policy = { ttlMs: 60_000 };
const entry = (value: unknown) => ({ value, storedAt: 1_700_000_000_000 });

export function cacheContract(name: string, open: () => Promise<CacheFixture>) {
  describe(`ResponseCache + Coalescer contract: ${name}`, () => {
    let fx: CacheFixture;
    let metrics: Metrics;
    let service: ResponseCacheService;
    beforeEach(async () => {
      fx = await open();
      metrics = createMetrics();
      service = createResponseCacheService({ cache: fx.cache, coalescer: fx.coalescer, metrics });
    });
    afterEach(() => fx.close());

    test('a stored answer comes back whole until its TTL passes', async () => {
      const key = cacheKey('jira.get', { id: 1 }, 'none');
      expect(await fx.cache.get(key)).toBeUndefined();
      await fx.cache.set(key, entry({ summary: 'x', tags: ['a'], n: 1.5 }), 250);
      expect(await fx.cache.get(key)).toEqual(entry({ summary: 'x', tags: ['a'], n: 1.5 }));
      await until(async () => (await fx.cache.get(key)) === undefined);
    });

    test('an answer read back is frozen at every depth: no caller can change it for the next', async () => {
      const key = cacheKey('t', {}, 'none');
      const stored = { list: [1], nested: { n: 1 } };
      await fx.cache.set(key, entry(stored), 60_000);
      stored.list.push(9); // changing what was stored does not reach the cache either
      const got = (await fx.cache.get(key))!.value as { list: number[]; nested: { n: number } };
      expect(() => got.list.push(2)).toThrow(TypeError);
      expect(() => (got.nested.n = 2)).toThrow(TypeError);
      expect(await fx.cache.get(key)).toEqual(entry({ list: [1], nested: { n: 1 } }));
    });

    test('an answer over the per-entry cap is not stored', async () => {
      const key = cacheKey('t', {}, 'none');
      await fx.cache.set(key, entry('x'.repeat(2000)), 60_000);
      expect(await fx.cache.get(key)).toBeUndefined();
    });

    test('clearing a tool removes its entries only and counts them; clearing all removes the rest', async () => {
      for (const tool of ['jira.get', 'jira.get.x', 'crm'])
        for (const id of [1, 2]) await fx.cache.set(cacheKey(tool, { id }, 'none'), entry(id), 60_000);
      expect(await fx.cache.clear('jira.get')).toBe(2);
      expect(await fx.cache.get(cacheKey('jira.get', { id: 1 }, 'none'))).toBeUndefined();
      expect(await fx.cache.get(cacheKey('jira.get.x', { id: 1 }, 'none'))).toEqual(entry(1));
      expect(await fx.cache.clear()).toBe(4);
      expect(await fx.cache.get(cacheKey('crm', { id: 2 }, 'none'))).toBeUndefined();
    });

    test('ten identical calls in flight reach the backend once and all get its answer; the eleventh is a cache hit', async () => {
      const answered = gate();
      const b = backend(async (n) => {
        await answered.promise;
        return { ticket: 'T-1', n };
      });
      const key = cacheKey('jira.get', { id: 'T-1' }, 'cred@1');
      const calls = Array.from({ length: 10 }, () => service.fetch(key, policy, 5000, b.fn));
      answered.open();
      const got = await Promise.all(calls);
      expect(b.calls).toBe(1);
      expect(got.map((g) => g.value)).toEqual(Array(10).fill({ ticket: 'T-1', n: 1 }));
      expect(got.filter((g) => g.source === 'backend').length).toBe(1);
      expect(await service.fetch(key, policy, 5000, b.fn)).toEqual({ value: { ticket: 'T-1', n: 1 }, source: 'cache' });
      expect(metrics.render()).toContain(`${CACHE_METRICS.coalesced}{tool="jira.get"} 9`);
      expect(metrics.render()).toContain(`${CACHE_METRICS.hits}{tool="jira.get"} 1`);
    });

    test('other arguments or another credential identity go to the backend separately', async () => {
      const b = backend((n) => n);
      const keys = [
        cacheKey('t', { id: 1 }, 'cred@1:alice'),
        cacheKey('t', { id: 2 }, 'cred@1:alice'),
        cacheKey('t', { id: 1 }, 'cred@1:bob'),
      ];
      const got = await Promise.all(keys.map((k) => service.fetch(k, policy, 5000, b.fn)));
      expect([b.calls, new Set(got.map((g) => g.value)).size]).toEqual([3, 3]);
    });

    test('a failing backend call fails every waiter with its error and nothing is cached', async () => {
      const answered = gate();
      const b = backend(async () => {
        await answered.promise;
        throw new NexusError('UPSTREAM_ERROR', 'backend down');
      });
      const key = cacheKey('t', {}, 'none');
      const calls = Array.from({ length: 3 }, () => service.fetch(key, policy, 5000, b.fn).catch((e: NexusError) => e.code));
      answered.open();
      expect(await Promise.all(calls)).toEqual(['UPSTREAM_ERROR', 'UPSTREAM_ERROR', 'UPSTREAM_ERROR']);
      expect([b.calls, await fx.cache.get(key)]).toEqual([1, undefined]);
    });

    test('an answer marked uncacheable reaches its caller but is not stored', async () => {
      const b = backend(() => ({ isError: true }), false);
      const key = cacheKey('t', {}, 'none');
      expect(await service.fetch(key, policy, 5000, b.fn)).toEqual({ value: { isError: true }, source: 'backend' });
      expect(await service.fetch(key, policy, 5000, b.fn)).toEqual({ value: { isError: true }, source: 'backend' });
      expect(b.calls).toBe(2);
    });

    test('an answer larger than the tool allows is not stored', async () => {
      const b = backend(() => 'x'.repeat(100));
      const key = cacheKey('t', {}, 'none');
      await service.fetch(key, { ttlMs: 60_000, maxEntryBytes: 50 }, 5000, b.fn);
      expect(await fx.cache.get(key)).toBeUndefined();
    });

    test('a waiter gives up after its timeout with UPSTREAM_TIMEOUT while the call goes on', async () => {
      const answered = gate();
      const b = backend(async () => {
        await answered.promise;
        return 'late';
      });
      const key = cacheKey('t', {}, 'none');
      const first = service.fetch(key, policy, 5000, b.fn);
      const err = (await service.fetch(key, policy, 50, b.fn).catch((e) => e)) as NexusError;
      expect(err.code).toBe('UPSTREAM_TIMEOUT');
      answered.open();
      expect(await first).toEqual({ value: 'late', source: 'backend' });
    });

    test('the first caller leaving does not cancel the call: the others still get its answer', async () => {
      const b = heldBackend({ ticket: 'T-1' });
      const key = cacheKey('t', { id: 1 }, 'none');
      const first = new AbortController();
      const leaving = service.fetch(key, policy, 5000, b.fn, () => first.signal).catch((e: NexusError) => e.code);
      await until(() => b.calls === 1);
      const staying = [1, 2].map(() => service.fetch(key, policy, 5000, b.fn, () => new AbortController().signal));
      await until(() => metrics.render().includes(`${CACHE_METRICS.misses}{tool="t"} 3`)); // both have joined
      first.abort();
      expect(await leaving).toBe('UNAVAILABLE');
      expect(b.signals.map((s) => s.aborted)).toEqual([false]);
      b.open();
      expect((await Promise.all(staying)).map((g) => g.value)).toEqual([{ ticket: 'T-1' }, { ticket: 'T-1' }]);
      expect(b.calls).toBe(1);
    });

    test('the backend call is cancelled once every caller has left, and the next caller starts afresh', async () => {
      const b = heldBackend('x');
      const key = cacheKey('t', { id: 2 }, 'none');
      const callers = [new AbortController(), new AbortController()];
      const calls = callers.map((c) => service.fetch(key, policy, 5000, b.fn, () => c.signal).catch((e: NexusError) => e.code));
      await until(() => b.calls === 1 && metrics.render().includes(`${CACHE_METRICS.misses}{tool="t"} 2`));
      callers[0]!.abort();
      expect(await calls[0]).toBe('UNAVAILABLE');
      expect(b.signals[0]!.aborted).toBe(false);
      callers[1]!.abort();
      expect(await calls[1]).toBe('UNAVAILABLE');
      await until(() => b.signals[0]!.aborted);
      const again = service.fetch(key, policy, 5000, b.fn);
      await until(() => b.calls === 2);
      b.open();
      expect(await again).toEqual({ value: 'x', source: 'backend' });
    });

    test('a tool without cache settings always goes to the backend and is never merged', async () => {
      const b = backend((n) => n);
      const key = cacheKey('t', {}, 'none');
      const got = await Promise.all([1, 2, 3].map(() => service.fetch(key, undefined, 5000, b.fn)));
      expect(got).toEqual([1, 2, 3].map((n) => ({ value: n, source: 'backend' })));
    });
  });
}
