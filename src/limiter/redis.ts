// Shared limiter: the GCRA of gcra.ts in a Lua script (atomic), time from Redis (TIME), a TTL on every
// key, and consumption only when every check of a call allows. Calls made in the same turn of the event
// loop go to Redis together, in ONE script run: it decides them one after another in arrival order,
// exactly as separate runs would (a later call sees what an earlier one consumed), so limits stay exact
// across instances, while a busy gateway pays one command, one write and one reply for many calls.
// All limiter keys carry the hash tag {rl} so one script's keys land on one Cluster slot.
import { luaScript, type RedisClient, type RunScript, runScript } from '../db/redis.ts';
import { NexusError } from '../errors.ts';
import { intervalUs, takeOne, validateCheck, verdictOf } from './gcra.ts';
import type { LimitCheck, LimitDecision, Limiter, LimitVerdict } from './types.ts';

export interface RedisLimiterOptions {
  /** Prepended to every key, e.g. `nexus:`; must not contain braces (they would move the hash tag). */
  prefix?: string;
  /** Most calls decided by one script run (default 64): bounds how long one run holds Redis. */
  maxBatch?: number;
}

// KEYS: the key of every check, calls in order (a key may repeat across calls). ARGV: one text per call,
// `interval requests cost` (µs, integers) per check, space separated. Returns (allowed, remaining,
// wait µs) per check. A key is read once and written once per run; its TAT is kept as an integer string
// (doubles hold µs epochs exactly) with a PTTL until the TAT. Few, reusable arguments: encoding them was
// most of the client's cost.
const GCRA = luaScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tat, dirty, out, k, o = {}, {}, {}, 0, 0
for c = 1, #ARGV do
  local ok, ks, next, n = true, {}, {}, 0
  for interval, requests, cost in string.gmatch(ARGV[c], '(%d+) (%d+) (%d+)') do
    n, k = n + 1, k + 1
    local key = KEYS[k]
    interval = tonumber(interval)
    local cap = interval * tonumber(requests)
    if tat[key] == nil then tat[key] = tonumber(redis.call('GET', key) or 0) end
    local before = math.max(tat[key], now) - now
    local ahead = before + tonumber(cost) * interval
    ks[n], next[n] = key, now + ahead
    if ahead <= cap then
      out[o + 1], out[o + 2], out[o + 3] = 1, math.floor((cap - ahead) / interval), 0
    else
      ok = false
      out[o + 1], out[o + 2], out[o + 3] = 0, math.max(0, math.floor((cap - before) / interval)), ahead - cap
    end
    o = o + 3
  end
  if ok then
    for j = 1, n do
      tat[ks[j]], dirty[ks[j]] = next[j], true
    end
  end
end
for key in pairs(dirty) do
  redis.call('SET', key, string.format('%.0f', tat[key]), 'PX', math.max(1, math.ceil((tat[key] - now) / 1000)))
end
return out
`);

interface Pending {
  readonly checks: readonly LimitCheck[];
  readonly resolve: (v: LimitVerdict) => void;
  readonly reject: (e: unknown) => void;
}

/** `redis`: an ioredis client, or a script runner of its own (script-connection.ts: cheaper per run). */
export function createRedisLimiter(redis: RedisClient | RunScript, opts: RedisLimiterOptions = {}): Limiter {
  const script: RunScript = typeof redis === 'function' ? redis : (s, keys, args) => runScript(redis, s, keys, args);
  const prefix = opts.prefix ?? 'nexus:';
  if (/[{}]/.test(prefix)) throw new NexusError('INVALID_CONFIG', 'limiter key prefix must not contain { or }');
  const maxBatch = opts.maxBatch ?? 64;
  let queue: Pending[] = [];

  // A call's argument text and Redis keys depend only on its checks: kept per checks array, which
  // the call pipeline reuses for every call of a tool by a caller
  const encoded = new WeakMap<readonly LimitCheck[], { arg: string; keys: string[] }>();
  const encode = (checks: readonly LimitCheck[]) => {
    let e = encoded.get(checks);
    if (!e) {
      const arg = checks.map((c) => `${intervalUs(c.rule)} ${c.rule.requests} ${c.cost ?? 1}`).join(' ');
      encoded.set(checks, (e = { arg, keys: checks.map((c) => `${prefix}{rl}:${c.key}`) }));
    }
    return e;
  };

  async function run(batch: readonly Pending[]) {
    const keys: string[] = [];
    const args: string[] = [];
    for (const { checks } of batch) {
      const e = encode(checks);
      for (const k of e.keys) keys.push(k);
      args.push(e.arg);
    }
    let raw: number[];
    try {
      raw = (await script(GCRA, keys, args)) as number[];
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
