// Shared token cache in Redis. Tokens are sealed with AES-GCM under a key derived from the master
// key (HKDF), bound to their cache key: no token is ever in Redis in clear.
import { hkdfSync } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { KEY_BYTES, open, seal } from './crypto.ts';
import type { TokenCache } from './token-cache.ts';

const INFO = 'nexus token cache v1';

export const tokenCacheKey = (masterKey: Uint8Array): Uint8Array =>
  new Uint8Array(hkdfSync('sha256', masterKey, new Uint8Array(0), INFO, KEY_BYTES));

export function createRedisTokenCache(redis: Redis | Cluster, masterKey: Uint8Array, opts: { prefix?: string } = {}): TokenCache {
  const key = tokenCacheKey(masterKey);
  const prefix = opts.prefix ?? 'nexus:token:';
  const aad = (k: string) => new TextEncoder().encode(`${INFO}|${k}`);
  return {
    async get(k) {
      const raw = await redis.get(prefix + k);
      if (!raw) return undefined;
      try {
        const { n, c, e } = JSON.parse(raw) as { n: string; c: string; e: number };
        const token = new TextDecoder().decode(open(key, { nonce: n, ciphertext: c }, aad(k), 'cached token'));
        return { token, expiresAt: e };
      } catch {
        return undefined; // sealed under another master key, or not ours: a miss
      }
    },
    async set(k, value, ttlMs) {
      const s = seal(key, new TextEncoder().encode(value.token), aad(k));
      await redis.set(
        prefix + k,
        JSON.stringify({ n: s.nonce, c: s.ciphertext, e: value.expiresAt }),
        'PX',
        Math.max(1, Math.floor(ttlMs)),
      );
    },
    async delete(k) {
      await redis.del(prefix + k);
    },
  };
}
