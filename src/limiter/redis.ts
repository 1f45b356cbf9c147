// Shared limiter: all checks of a call in ONE Lua script (one round trip, atomic), with the GCRA of
// gcra.ts, time from Redis (TIME), a TTL on every key, and consumption only when every check allows.
// All limiter keys carry the hash tag {rl} so one script's keys land on one Cluster slot.
import { luaScript, type RedisClient, runScript } from '../db/redis.ts';
import { NexusError } from '../errors.ts';
import { intervalUs, takeOne, validateCheck, verdictOf } from './gcra.ts';
import type { LimitCheck, LimitDecision, Limiter, LimitVerdict } from './types.ts';

export interface RedisLimiterOptions {
  /** Prepended to every key, e.g. `nexus:`; must not contain braces (they would move the hash tag). */
  prefix?: string;
}

// KEYS: one per check. ARGV: (interval µs, requests, cost) per key. Returns (allowed, remaining,
// wait µs) per key. Keeps the stored TAT as an integer string; doubles hold µs epochs exactly.
const GCRA = luaScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local out, tats, ok = {}, {}, true
for i, key in ipairs(KEYS) do
  local interval = tonumber(ARGV[3 * i - 2])
  local cap = interval * tonumber(ARGV[3 * i - 1])
  local before = math.max(tonumber(redis.call('GET', key) or 0), now) - now
  local ahead = before + tonumber(ARGV[3 * i]) * interval
  tats[i] = now + ahead
  if ahead <= cap then
    out[3 * i - 2], out[3 * i - 1], out[3 * i] = 1, math.floor((cap - ahead) / interval), 0
  else
    ok = false
    out[3 * i - 2], out[3 * i - 1], out[3 * i] = 0, math.max(0, math.floor((cap - before) / interval)), ahead - cap
  end
end
if ok then
  for i, key in ipairs(KEYS) do
    redis.call('SET', key, string.format('%.0f', tats[i]), 'PX', math.max(1, math.ceil((tats[i] - now) / 1000)))
  end
end
return out
`);

export function createRedisLimiter(redis: RedisClient, opts: RedisLimiterOptions = {}): Limiter {
  const prefix = opts.prefix ?? 'nexus:';
  if (/[{}]/.test(prefix)) throw new NexusError('INVALID_CONFIG', 'limiter key prefix must not contain { or }');
  const redisKey = (key: string) => `${prefix}{rl}:${key}`;

  async function checkAll(checks: readonly LimitCheck[]): Promise<LimitVerdict> {
    checks.forEach(validateCheck);
    if (checks.length === 0) return { allowed: true, decisions: [] };
    const args = checks.flatMap((c) => [intervalUs(c.rule), c.rule.requests, c.cost ?? 1]);
    const raw = (await runScript(
      redis,
      GCRA,
      checks.map((c) => redisKey(c.key)),
      args,
    )) as number[];
    const decisions: LimitDecision[] = checks.map((c, i) => ({
      allowed: raw[3 * i] === 1,
      remaining: Number(raw[3 * i + 1]),
      retryAfterMs: Math.ceil(Number(raw[3 * i + 2]) / 1000),
      limit: c.rule.requests,
    }));
    return verdictOf(checks, decisions);
  }

  return { checkAll, take: (key, rule, cost) => takeOne(checkAll, key, rule, cost) };
}
