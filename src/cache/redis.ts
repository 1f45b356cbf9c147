// Shared response cache: each entry is a JSON string with a PX TTL. Keys of one tool share the hash
// tag {tool} (one Cluster slot), next to a sorted set indexing them by expiry, so clear(tool) pops
// that index instead of scanning the keyspace; expired members are trimmed on every write.
// Near cache (optional): each instance keeps what it read or wrote in memory until the moment Redis
// expires it (the TTL is read with the entry, in the same round trip), so a repeated hit costs no
// round trip. An entry never changes in Redis before it expires; only clear() removes it early, and
// clear() publishes on `<prefix>cache:cleared` so every instance drops its copies. A subscriber that
// reconnects may have missed a message, so it drops everything it holds.
import { luaScript, type RedisClient, runScript } from '../db/redis.ts';
import { NexusError } from '../errors.ts';
import { createEntryDecoder, DEFAULT_MAX_ENTRY_BYTES, encodeEntry } from './entry.ts';
import { toolOfKey } from './key.ts';
import { createMemoryCache } from './memory.ts';
import type { ResponseCache } from './types.ts';

export interface RedisCacheOptions {
  /** Prepended to every key, e.g. `nexus:`; must not contain braces. */
  prefix?: string;
  /** Entries larger than this are not stored (default 1 MiB). */
  maxEntryBytes?: number;
  /** Keep a near cache of this many bytes, told of clears on this (subscribed-only) connection. */
  near?: { readonly subscriber: RedisClient; readonly maxBytes: number };
}

/** The pub/sub channel on which clear() announces what it cleared (a tool name, or `*`). */
export const clearedChannel = (prefix = 'nexus:') => `${prefix}cache:cleared`;

// KEYS[1] entry, KEYS[2] the tool's index; ARGV[1] JSON, ARGV[2] ttl ms. Index scores are expiry times.
const PUT = luaScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[2])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
redis.call('ZADD', KEYS[2], now + ttl, KEYS[1])
if redis.call('PTTL', KEYS[2]) < ttl then redis.call('PEXPIRE', KEYS[2], ttl) end
return 1
`);

const CLEAR_BATCH = 256;

export interface RedisCache extends ResponseCache {
  /** Resolves once the near cache hears clears (at once without a near cache). */
  nearReady(): Promise<void>;
}

export function createRedisCache(redis: RedisClient, opts: RedisCacheOptions = {}): RedisCache {
  const prefix = opts.prefix ?? 'nexus:';
  if (/[{}]/.test(prefix)) throw new NexusError('INVALID_CONFIG', 'cache key prefix must not contain { or }');
  const maxEntryBytes = opts.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES;
  const toolsKey = `${prefix}cache:tools`;
  const slot = (tool: string) => `${prefix}cache:{${tool}}`;
  const entryKey = (key: string) => `${slot(toolOfKey(key))}:${key.slice(key.indexOf(':') + 1)}`;

  async function clearTool(tool: string): Promise<number> {
    const index = `${slot(tool)}:index`;
    let count = 0;
    for (;;) {
      const popped = await redis.zpopmin(index, CLEAR_BATCH);
      const keys = popped.filter((_, i) => i % 2 === 0);
      if (keys.length === 0) return count;
      count += await redis.del(...keys);
    }
  }

  const decode = createEntryDecoder();
  const channel = clearedChannel(prefix);
  const near = opts.near && opts.near.maxBytes > 0 ? createMemoryCache({ maxBytes: opts.near.maxBytes, maxEntryBytes }) : undefined;
  const sub = opts.near?.subscriber;
  let generation = 0; // bumped by every clear heard: a read that started before one is not kept
  let listening = false;
  let heard = () => {};
  const ready = new Promise<void>((r) => (heard = r));
  if (!near || !sub) heard();
  if (near && sub) {
    const forget = (tool?: string) => {
      generation++;
      void near.clear(tool);
    };
    sub.on('message', (ch: string, tool: string) => {
      if (ch === channel) forget(tool === '*' ? undefined : tool);
    });
    const listen = () =>
      sub.subscribe(channel).then(
        () => {
          listening = true;
          forget();
          heard();
        }, // from here on every clear is heard; before, one may have been missed
        () => {},
      );
    sub.on('close', () => {
      listening = false;
      forget();
    });
    sub.on('ready', () => void listen());
    if (sub.status === 'ready') void listen();
  }

  return {
    nearReady: () => ready,
    async get(key) {
      const k = entryKey(key);
      if (!near || !listening) return decode(key, await redis.get(k));
      const held = await near.get(key);
      if (held) return held;
      const started = generation;
      const [json, pttl] = await Promise.all([redis.get(k), redis.pttl(k)]); // one round trip (auto-pipelining)
      const entry = decode(key, json);
      if (entry && pttl > 0 && started === generation && listening) await near.set(key, entry, pttl);
      return entry;
    },
    async set(key, entry, ttlMs) {
      const encoded = encodeEntry(entry, maxEntryBytes);
      if (!encoded || ttlMs <= 0) return;
      const tool = toolOfKey(key);
      const started = generation;
      await Promise.all([
        runScript(redis, PUT, [entryKey(key), `${slot(tool)}:index`], [encoded.json, Math.ceil(ttlMs)]),
        redis.sadd(toolsKey, tool),
      ]);
      if (listening && started === generation) await near?.set(key, entry, ttlMs);
    },
    async clear(tool) {
      await near?.clear(tool);
      const tools = tool === undefined ? await redis.smembers(toolsKey) : [tool];
      let count = 0;
      for (const t of tools) count += await clearTool(t);
      await redis.publish(channel, tool ?? '*');
      return count;
    },
  };
}
