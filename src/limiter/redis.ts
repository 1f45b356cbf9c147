// Shared limiter: the GCRA of gcra.ts in a Lua script (atomic), time from Redis (TIME), a TTL on every
// key, and consumption only when every check of a call allows. Calls made in the same turn of the event
// loop go to Redis together, in ONE script run: it decides them one after another in arrival order,
// exactly as separate runs would (a later call sees what an earlier one consumed), so limits stay exact
// across instances, while a busy gateway pays one command, one write and one reply for many calls.
// All limiter keys carry the hash tag {rl} so one script's keys land on one Cluster slot.
import { luaScript, type RedisClient, runScript } from '../db/redis.ts';
import { NexusError } from '../errors.ts';
import { intervalUs, takeOne, validateCheck, verdictOf } from './gcra.ts';
import type { LimitCheck, LimitDecision, Limiter, LimitVerdict } from './types.ts';

export interface RedisLimiterOptions {
  /** Prepended to every key, e.g. `nexus:`; must not contain braces (they would move the hash tag). */
  prefix?: string;
  /** Most calls decided by one script run (default 64): bounds how long one run holds Redis. */
  maxBatch?: number;
}

// KEYS: the distinct keys of the batch. ARGV: per call its number of checks, then per check (key index,
// interval µs, requests, cost). Returns (allowed, remaining, wait µs) per check, calls in order. A key
// is read once and written once per run; its TAT is kept as an integer string (doubles hold µs epochs
// exactly) with a PTTL until the TAT.
const GCRA = luaScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tat, out, a, o = {}, {}, 1, 0
while a <= #ARGV do
  local n, ok, ks, next = tonumber(ARGV[a]), true, {}, {}
  a = a + 1
  for j = 1, n do
    local k, interval = tonumber(ARGV[a]), tonumber(ARGV[a + 1])
    local cap = interval * tonumber(ARGV[a + 2])
    if tat[k] == nil then tat[k] = tonumber(redis.call('GET', KEYS[k]) or 0) end
    local before = math.max(tat[k], now) - now
    local ahead = before + tonumber(ARGV[a + 3]) * interval
    ks[j], next[j] = k, now + ahead
    if ahead <= cap then
      out[o + 1], out[o + 2], out[o + 3] = 1, math.floor((cap - ahead) / interval), 0
    else
      ok = false
      out[o + 1], out[o + 2], out[o + 3] = 0, math.max(0, math.floor((cap - before) / interval)), ahead - cap
    end
    a, o = a + 4, o + 3
  end
  if ok then
    for j = 1, n do
      tat[ks[j]], tat[-ks[j]] = next[j], true
    end
  end
end
for k = 1, #KEYS do
  if tat[-k] then
    redis.call('SET', KEYS[k], string.format('%.0f', tat[k]), 'PX', math.max(1, math.ceil((tat[k] - now) / 1000)))
  end
end
return out
`);

interface Pending {
  readonly checks: readonly LimitCheck[];
  readonly resolve: (v: LimitVerdict) => void;
  readonly reject: (e: unknown) => void;
}

export function createRedisLimiter(redis: RedisClient, opts: RedisLimiterOptions = {}): Limiter {
  const prefix = opts.prefix ?? 'nexus:';
  if (/[{}]/.test(prefix)) throw new NexusError('INVALID_CONFIG', 'limiter key prefix must not contain { or }');
  const maxBatch = opts.maxBatch ?? 64;
  const redisKeys = new Map<string, string>(); // limit key -> Redis key, built once (bounded: cleared on overflow)
  const redisKey = (key: string) => {
    let k = redisKeys.get(key);
    if (k === undefined) {
      if (redisKeys.size >= 10_000) redisKeys.clear();
      redisKeys.set(key, (k = `${prefix}{rl}:${key}`));
    }
    return k;
  };
  let queue: Pending[] = [];

  async function run(batch: readonly Pending[]) {
    const keys: string[] = [];
    const index = new Map<string, number>();
    const args: number[] = [];
    for (const { checks } of batch) {
      args.push(checks.length);
      for (const c of checks) {
        let i = index.get(c.key);
        if (i === undefined) index.set(c.key, (i = keys.push(redisKey(c.key))));
        args.push(i, intervalUs(c.rule), c.rule.requests, c.cost ?? 1);
      }
    }
    let raw: number[];
    try {
      raw = (await runScript(redis, GCRA, keys, args)) as number[];
    } catch (e) {
      for (const p of batch) p.reject(e);
      return;
    }
    let o = 0;
    for (const { checks, resolve } of batch) {
      const decisions: LimitDecision[] = checks.map((c) => {
        const d = { allowed: raw[o] === 1, remaining: raw[o + 1]!, retryAfterMs: Math.ceil(raw[o + 2]! / 1000), limit: c.rule.requests };
        o += 3;
        return d;
      });
      resolve(verdictOf(checks, decisions));
    }
  }

  const flush = () => {
    const all = queue;
    queue = [];
    for (let i = 0; i < all.length; i += maxBatch) void run(all.slice(i, i + maxBatch));
  };

  function checkAll(checks: readonly LimitCheck[]): Promise<LimitVerdict> {
    try {
      checks.forEach(validateCheck);
    } catch (e) {
      return Promise.reject(e);
    }
    if (checks.length === 0) return Promise.resolve({ allowed: true, decisions: [] });
    return new Promise((resolve, reject) => {
      if (queue.push({ checks, resolve, reject }) === 1) setImmediate(flush);
    });
  }

  return { checkAll, take: (key, rule, cost) => takeOne(checkAll, key, rule, cost) };
}
