// In-process response cache: LRU over a Map (insertion order = recency) with a cap on total bytes and
// on each entry. Expired entries are dropped when read, or when the LRU reaches them.
import { DEFAULT_MAX_ENTRY_BYTES, decodeFrozen, encodeEntry } from './entry.ts';
import { toolOfKey } from './key.ts';
import type { CachedEntry, ResponseCache } from './types.ts';

export interface MemoryCacheOptions {
  /** Total cap over all entries (default 64 MiB). */
  maxBytes?: number;
  /** Entries larger than this are not stored (default 1 MiB). */
  maxEntryBytes?: number;
  now?: () => number;
}

interface Slot {
  readonly json: string;
  readonly bytes: number;
  readonly expiresAt: number;
  /** Decoded (and frozen) on the first read. */
  entry?: CachedEntry;
}

export interface MemoryCache extends ResponseCache {
  /** Bytes held now (for tests and metrics). */
  bytes(): number;
}

export function createMemoryCache(opts: MemoryCacheOptions = {}): MemoryCache {
  const maxBytes = opts.maxBytes ?? 64 * 1024 * 1024;
  const maxEntryBytes = Math.min(opts.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES, maxBytes);
  const now = opts.now ?? Date.now;
  const slots = new Map<string, Slot>();
  let total = 0;

  const drop = (key: string) => {
    const slot = slots.get(key);
    if (!slot) return false;
    slots.delete(key);
    total -= slot.bytes;
    return slot.expiresAt > now();
  };

  return {
    async get(key) {
      const slot = slots.get(key);
      if (!slot) return undefined;
      drop(key);
      if (slot.expiresAt <= now()) return undefined;
      slots.set(key, slot); // most recently used goes last
      total += slot.bytes;
      return (slot.entry ??= decodeFrozen(slot.json));
    },
    async set(key, entry, ttlMs) {
      drop(key);
      const encoded = encodeEntry(entry, maxEntryBytes);
      if (!encoded || ttlMs <= 0) return;
      const bytes = encoded.bytes + key.length;
      slots.set(key, { json: encoded.json, bytes, expiresAt: now() + ttlMs });
      total += bytes;
      for (const oldest of slots.keys()) {
        if (total <= maxBytes) break;
        drop(oldest);
      }
    },
    async clear(tool) {
      let count = 0;
      for (const key of [...slots.keys()]) if (tool === undefined || toolOfKey(key) === tool) if (drop(key)) count++;
      return count;
    },
    bytes: () => total,
  };
}
