// Single flight: identical calls in flight share one execution of fn.
//
// In an instance (always): the first caller of a key starts the flight, later callers join its
// promise and see its value or its error; each joiner gives up after its own timeoutMs.
// Across instances (with a FlightLock, see flight-lock.ts), the flight of an instance does:
//   1. SET lock NX PX ttl. Won: look up the answer once more (a leader may have finished since our
//      caller missed the cache); if still absent run fn, renewing the lock every ttl/3 until fn ends
//      or the deadline passes, then release the lock (if still ours) and PUBLISH on the key's channel.
//      fn itself stores a successful answer in the cache before it returns.
//   2. Lost: SUBSCRIBE to the channel, then go round: look up the answer (found: done, coalesced),
//      try the lock again (won: step 1), else wait for a message or pollMs, until the deadline
//      (UPSTREAM_TIMEOUT). Subscribing before the next lock attempt means no end goes unnoticed;
//      polling covers a lost message. A leader that failed or gave an uncacheable answer leaves no
//      answer, so a waiter takes the lock and runs fn itself. A leader that died stops renewing: its
//      lock expires within ttl and a waiter takes over.
// Redis failing anywhere before fn runs degrades to in-instance coalescing (fail-open); errors are
// never cached and an error of fn is never mistaken for a Redis failure.

import { createOutageLog } from '../db/redis.ts';
import { NexusError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { formatDuration } from '../util/duration.ts';
import type { FlightLock } from './flight-lock.ts';
import type { Coalesced, Coalescer } from './types.ts';

export interface CoalescerOptions {
  /** Shared lock and notification (Redis); without it calls are merged inside this instance only. */
  lock?: FlightLock;
  log?: Logger;
}

const FAILED = Symbol('redis failed');

export function createCoalescer(opts: CoalescerOptions = {}): Coalescer {
  const { lock } = opts;
  const report = opts.log ? createOutageLog(opts.log, 30_000) : () => {};
  const flights = new Map<string, Promise<Coalesced<unknown>>>();

  async function shared<R>(op: () => Promise<R>): Promise<R | typeof FAILED> {
    try {
      return await op();
    } catch (e) {
      report('coalescing lock (redis)', e);
      return FAILED;
    }
  }

  async function lead<T>(lk: FlightLock, key: string, token: string, deadline: number, fn: () => Promise<T>) {
    const beat = setInterval(() => lk.extend(key, token).catch((e) => report('coalescing lock (redis)', e)), lk.ttlMs / 3);
    const stop = setTimeout(() => clearInterval(beat), Math.max(0, deadline - Date.now()));
    try {
      return { value: await fn(), coalesced: false };
    } finally {
      clearInterval(beat);
      clearTimeout(stop);
      await shared(() => lk.release(key, token));
    }
  }

  async function acrossInstances<T>(
    lk: FlightLock,
    key: string,
    timeoutMs: number,
    fn: () => Promise<T>,
    lookup: () => Promise<T | undefined>,
  ): Promise<Coalesced<T>> {
    const deadline = Date.now() + timeoutMs;
    let watch: Awaited<ReturnType<FlightLock['watch']>> | undefined;
    try {
      for (let round = 0; ; round++) {
        const found = round === 0 ? undefined : await shared(lookup);
        if (found !== undefined && found !== FAILED) return { value: found, coalesced: true };
        const token = await shared(() => lk.acquire(key));
        if (token === FAILED) return { value: await fn(), coalesced: false };
        if (token !== undefined) {
          const again = await shared(lookup);
          if (again === undefined || again === FAILED) return await lead(lk, key, token, deadline, fn);
          await shared(() => lk.release(key, token));
          return { value: again, coalesced: true };
        }
        if (!watch) {
          const w = await shared(() => lk.watch(key));
          if (w === FAILED) return { value: await fn(), coalesced: false };
          watch = w;
          continue;
        }
        const left = deadline - Date.now();
        if (left <= 0) throw timedOut(timeoutMs);
        await watch.wait(Math.min(lk.pollMs, left));
      }
    } finally {
      watch?.close();
    }
  }

  return {
    async run<T>(key: string, timeoutMs: number, fn: () => Promise<T>, lookup?: () => Promise<T | undefined>): Promise<Coalesced<T>> {
      const running = flights.get(key) as Promise<Coalesced<T>> | undefined;
      if (running) return { value: (await withDeadline(running, timeoutMs)).value, coalesced: true };
      const flight =
        lock && lookup ? acrossInstances(lock, key, timeoutMs, fn, lookup) : fn().then((value) => ({ value, coalesced: false }));
      flights.set(key, flight);
      const forget = () => flights.get(key) === flight && flights.delete(key);
      flight.then(forget, forget);
      return flight;
    },
  };
}

const timedOut = (ms: number) =>
  new NexusError('UPSTREAM_TIMEOUT', `no answer within ${formatDuration(ms)} (waiting for an identical call)`);

/** A joiner's wait, bounded by its own timeout; the flight itself goes on for the others. */
function withDeadline<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(timedOut(ms)), ms)));
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}
