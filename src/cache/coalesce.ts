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
//
// Cancellation: a caller whose own signal fires stops waiting at once (UNAVAILABLE, call cancelled);
// the flight goes on while anyone else waits. fn's signal fires only when no one does: in an instance
// when its last caller left; a leading instance also asks Redis whether another instance still waits
// (each waiting instance renews its presence every round and withdraws it when its callers left).

import { randomUUID } from 'node:crypto';
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
  const flights = new Map<string, Flight>();

  async function shared<R>(op: () => Promise<R>): Promise<R | typeof FAILED> {
    try {
      return await op();
    } catch (e) {
      report('coalescing lock (redis)', e);
      return FAILED;
    }
  }

  /** Nobody waits for this flight any more: cancel fn, and let the next caller start afresh. */
  const abandon = (key: string, flight: Flight) => {
    if (flights.get(key) === flight) flights.delete(key);
    flight.controller.abort(cancelled());
  };

  async function lead<T>(lk: FlightLock, key: string, token: string, deadline: number, fn: Fn<T>, flight: Flight) {
    const beat = setInterval(() => lk.extend(key, token).catch((e) => report('coalescing lock (redis)', e)), lk.ttlMs / 3);
    const stop = setTimeout(() => clearInterval(beat), Math.max(0, deadline - Date.now()));
    let checking: ReturnType<typeof setInterval> | undefined;
    const stopChecking = () => {
      clearInterval(checking);
      checking = undefined;
    };
    // our callers left: go on while another instance waits, cancel once none does
    flight.onIdle = () => {
      const check = async () => {
        if (flight.waiters > 0 || flight.settled) return stopChecking();
        const others = await shared(() => lk.attendance(key));
        if (others === 0 && flight.waiters === 0) {
          stopChecking();
          abandon(key, flight);
        }
      };
      stopChecking();
      checking = setInterval(check, lk.pollMs);
      void check();
    };
    try {
      return { value: await fn(flight.controller.signal), coalesced: false };
    } finally {
      flight.onIdle = undefined;
      stopChecking();
      clearInterval(beat);
      clearTimeout(stop);
      await shared(() => lk.release(key, token));
    }
  }

  async function acrossInstances<T>(
    lk: FlightLock,
    key: string,
    timeoutMs: number,
    fn: Fn<T>,
    lookup: () => Promise<T | undefined>,
    flight: Flight,
  ): Promise<Coalesced<T>> {
    const deadline = Date.now() + timeoutMs;
    const signal = flight.controller.signal;
    const me = randomUUID();
    let attending = false;
    let watch: Awaited<ReturnType<FlightLock['watch']>> | undefined;
    try {
      for (let round = 0; ; round++) {
        if (signal.aborted) throw cancelled();
        const found = round === 0 ? undefined : await shared(lookup);
        if (found !== undefined && found !== FAILED) return { value: found, coalesced: true };
        const token = await shared(() => lk.acquire(key));
        if (token === FAILED) return { value: await fn(signal), coalesced: false };
        if (token !== undefined) {
          const again = await shared(lookup);
          if (again === undefined || again === FAILED) {
            if (attending) void shared(() => lk.leave(key, me));
            attending = false;
            return await lead(lk, key, token, deadline, fn, flight);
          }
          await shared(() => lk.release(key, token));
          return { value: again, coalesced: true };
        }
        attending = (await shared(() => lk.attend(key, me))) !== FAILED || attending;
        if (!watch) {
          const w = await shared(() => lk.watch(key));
          if (w === FAILED) return { value: await fn(signal), coalesced: false };
          watch = w;
          continue;
        }
        const left = deadline - Date.now();
        if (left <= 0) throw timedOut(timeoutMs);
        await watch.wait(Math.min(lk.pollMs, left), signal);
      }
    } finally {
      watch?.close();
      if (attending) void shared(() => lk.leave(key, me));
    }
  }

  function start<T>(key: string, timeoutMs: number, fn: Fn<T>, lookup?: () => Promise<T | undefined>): Flight {
    const flight: Flight = { waiters: 0, settled: false, controller: new AbortController(), promise: undefined as never };
    flight.promise =
      lock && lookup
        ? acrossInstances(lock, key, timeoutMs, fn, lookup, flight)
        : fn(flight.controller.signal).then((value) => ({ value, coalesced: false }));
    flights.set(key, flight);
    const forget = () => {
      flight.settled = true;
      if (flights.get(key) === flight) flights.delete(key);
    };
    flight.promise.then(forget, forget);
    return flight;
  }

  return {
    async run<T>(key: string, timeoutMs: number, fn: Fn<T>, lookup?: () => Promise<T | undefined>, signal?: AbortSignal) {
      if (signal?.aborted) throw cancelled();
      const running = flights.get(key);
      const flight = running ?? start(key, timeoutMs, fn, lookup);
      flight.waiters++;
      try {
        // a joiner's wait is bounded by its own timeout; the first caller's by fn's
        const got = (await waitOn(flight.promise, running ? timeoutMs : undefined, signal)) as Coalesced<T>;
        return running ? { value: got.value, coalesced: true } : got;
      } finally {
        if (--flight.waiters === 0 && !flight.settled) (flight.onIdle ?? (() => abandon(key, flight)))();
      }
    },
  };
}

type Fn<T> = (signal: AbortSignal) => Promise<T>;

interface Flight {
  /** Callers of this instance waiting for it. */
  waiters: number;
  settled: boolean;
  /** Aborted when no one waits any more: fn's signal. */
  readonly controller: AbortController;
  /** While this instance leads across instances: what to do when its last caller left. */
  onIdle?: () => void;
  promise: Promise<Coalesced<unknown>>;
}

const timedOut = (ms: number) =>
  new NexusError('UPSTREAM_TIMEOUT', `no answer within ${formatDuration(ms)} (waiting for an identical call)`);
const cancelled = () => new NexusError('UNAVAILABLE', 'call cancelled');

/** One caller's wait: the flight, bounded by its own timeout and its own signal; the flight goes on. */
function waitOn<T>(p: Promise<T>, ms: number | undefined, signal: AbortSignal | undefined): Promise<T> {
  if (ms === undefined && !signal) return p;
  return new Promise<T>((resolve, reject) => {
    const timer = ms === undefined ? undefined : setTimeout(() => end(() => reject(timedOut(ms))), ms);
    const gone = () => end(() => reject(cancelled()));
    const end = (settle: () => void) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', gone);
      settle();
    };
    signal?.addEventListener('abort', gone, { once: true });
    p.then(
      (v) => end(() => resolve(v)),
      (e) => end(() => reject(e)),
    );
  });
}
