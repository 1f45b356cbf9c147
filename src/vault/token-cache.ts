// Where OAuth access tokens wait until shortly before they expire. In process here; Redis (shared,
// encrypted) in token-cache-redis.ts.
export interface CachedToken {
  readonly token: string;
  /** Epoch ms after which the token must not be used (already shortened by a safety margin). */
  readonly expiresAt: number;
}

export interface TokenCache {
  get(key: string): Promise<CachedToken | undefined>;
  set(key: string, value: CachedToken, ttlMs: number): Promise<void>;
  delete(key: string): Promise<void>;
}

export function createMemoryTokenCache(now: () => number = Date.now): TokenCache {
  const entries = new Map<string, { value: CachedToken; until: number }>();
  return {
    async get(key) {
      const e = entries.get(key);
      if (!e) return undefined;
      if (e.until <= now()) {
        entries.delete(key);
        return undefined;
      }
      return e.value;
    },
    async set(key, value, ttlMs) {
      entries.set(key, { value, until: now() + ttlMs });
    },
    async delete(key) {
      entries.delete(key);
    },
  };
}
