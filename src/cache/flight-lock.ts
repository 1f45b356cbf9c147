// The cross-instance half of coalescing (protocol in coalesce.ts): a short Redis lock per key
// (SET NX PX, renewed by its leader) and a pub/sub channel per key that wakes waiters when it ends.
import { randomUUID } from 'node:crypto';
import { luaScript, type RedisClient, runScript } from '../db/redis.ts';

export interface FlightWatch {
  /** Resolves on the flight's end notification (also one that came since the last wait), after ms, or on abort. */
  wait(ms: number, signal?: AbortSignal): Promise<void>;
  close(): void;
}

export interface FlightLock {
  readonly ttlMs: number;
  readonly pollMs: number;
  /** A token when this instance now leads the flight for key; undefined when another one does. */
  acquire(key: string): Promise<string | undefined>;
  /** Renews the lock while its leader works (no-op when it is no longer the holder's). */
  extend(key: string, token: string): Promise<void>;
  /** Releases the lock if still held with token, then wakes every waiter of key. */
  release(key: string, token: string): Promise<void>;
  watch(key: string): Promise<FlightWatch>;
  /** Says that `waiter` (one instance's callers) still waits for key's flight; lapses after ttlMs. */
  attend(key: string, waiter: string): Promise<void>;
  leave(key: string, waiter: string): Promise<void>;
  /** How many instances still wait for key's flight (its leader cancels when none and no caller of its own). */
  attendance(key: string): Promise<number>;
}

export interface RedisFlightLockOptions {
  redis: RedisClient;
  /** A second connection, used only for SUBSCRIBE (a subscribed connection can do nothing else). */
  subscriber: RedisClient;
  prefix?: string;
  /** Lock lifetime without renewal: how soon a waiter takes over from a dead leader (default 3s). */
  ttlMs?: number;
  /** Waiters re-check at least this often, in case a notification was lost (default 100ms). */
  pollMs?: number;
}

const EXTEND = luaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`);

const RELEASE = luaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return redis.call('PUBLISH', ARGV[2], 'done')
`);

// Waiters of a flight: a sorted set scored by when each presence lapses (Redis time, so clocks agree)
const ATTEND = luaScript(`
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`);

const ATTENDANCE = luaScript(`
local t = redis.call('TIME')
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', t[1] * 1000 + math.floor(t[2] / 1000))
return redis.call('ZCARD', KEYS[1])
`);

export function createRedisFlightLock(opts: RedisFlightLockOptions): FlightLock {
  const { redis, subscriber } = opts;
  const prefix = opts.prefix ?? 'nexus:';
  const ttlMs = opts.ttlMs ?? 3000;
  const lockKey = (key: string) => `${prefix}flight:${key}`;
  const channel = (key: string) => `${prefix}flight:${key}:done`;
  const waitersKey = (key: string) => `${prefix}flight:${key}:waiters`;
  const listeners = new Map<string, Set<() => void>>();
  subscriber.on('message', (ch: string) => {
    for (const wake of listeners.get(ch) ?? []) wake();
  });

  async function watch(key: string): Promise<FlightWatch> {
    const ch = channel(key);
    let fired = false;
    let wake: (() => void) | undefined;
    const onMessage = () => (wake ? wake() : (fired = true));
    let set = listeners.get(ch);
    const first = !set;
    if (!set) listeners.set(ch, (set = new Set()));
    set.add(onMessage);
    const close = () => {
      set.delete(onMessage);
      if (set.size > 0 || listeners.get(ch) !== set) return;
      listeners.delete(ch);
      subscriber.unsubscribe(ch).catch(() => {});
    };
    if (first) {
      try {
        await subscriber.subscribe(ch);
      } catch (e) {
        close();
        throw e;
      }
    }
    const wait = (ms: number, signal?: AbortSignal) =>
      new Promise<void>((resolve) => {
        if (fired) return resolve(void (fired = false));
        if (signal?.aborted) return resolve();
        const done = () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          wake = undefined;
          resolve();
        };
        const timer = setTimeout(done, ms);
        signal?.addEventListener('abort', done, { once: true });
        wake = done;
      });
    return { wait, close };
  }

  return {
    ttlMs,
    pollMs: opts.pollMs ?? 100,
    async acquire(key) {
      const token = randomUUID();
      return (await redis.set(lockKey(key), token, 'PX', ttlMs, 'NX')) === 'OK' ? token : undefined;
    },
    async extend(key, token) {
      await runScript(redis, EXTEND, [lockKey(key)], [token, ttlMs]);
    },
    async release(key, token) {
      await runScript(redis, RELEASE, [lockKey(key)], [token, channel(key)]);
    },
    watch,
    async attend(key, waiter) {
      await runScript(redis, ATTEND, [waitersKey(key)], [waiter, ttlMs]);
    },
    async leave(key, waiter) {
      await redis.zrem(waitersKey(key), waiter);
    },
    attendance: async (key) => Number(await runScript(redis, ATTENDANCE, [waitersKey(key)], [])),
  };
}
