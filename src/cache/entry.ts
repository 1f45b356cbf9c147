// How an entry is stored: JSON text (so callers always get a copy) and its size in UTF-8 bytes.
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
