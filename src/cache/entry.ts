// How an entry is stored: JSON text and its size in UTF-8 bytes. What readers get back is decoded once
// per stored text and deeply frozen: many hits share it, and none can change it for the others.
import type { CachedEntry } from './types.ts';

export const DEFAULT_MAX_ENTRY_BYTES = 1024 * 1024;

/** The JSON text of an entry and its size, or undefined when it is larger than maxBytes. */
export function encodeEntry(entry: CachedEntry, maxBytes: number): { json: string; bytes: number } | undefined {
  const json = JSON.stringify({ value: entry.value, storedAt: entry.storedAt });
  const bytes = Buffer.byteLength(json);
  return bytes <= maxBytes ? { json, bytes } : undefined;
}

export function decodeEntry(json: string | null | undefined): CachedEntry | undefined {
  if (!json) return undefined;
  try {
    const e = JSON.parse(json) as CachedEntry;
    return typeof e === 'object' && e !== null && typeof e.storedAt === 'number' ? e : undefined;
  } catch {
    return undefined;
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** decodeEntry, frozen. */
export const decodeFrozen = (json: string | null | undefined): CachedEntry | undefined => deepFreeze(decodeEntry(json));

/**
 * Decodes entries read from a shared store, reusing the last decoded value of each key while the text
 * read is the same: comparing two strings costs far less than parsing one. Holds at most `max` keys.
 */
export function createEntryDecoder(max = 1024): (key: string, json: string | null | undefined) => CachedEntry | undefined {
  const seen = new Map<string, { json: string; entry: CachedEntry }>();
  return (key, json) => {
    if (!json) return undefined;
    const last = seen.get(key);
    if (last && last.json === json) return last.entry;
    const entry = decodeFrozen(json);
    if (!entry) return undefined;
    if (!last && seen.size >= max) seen.delete(seen.keys().next().value!);
    seen.set(key, { json, entry });
    return entry;
  };
}
