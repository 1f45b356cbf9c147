// Start-up cache of tool files that passed serve's checks, keyed by the SHA-256 of the file's text and
// of this build. An unchanged file is then not parsed (the YAML parse is most of a big catalogue's
// start-up) and its JSON Schemas are not checked against the meta-schema again (schemas are never
// interpolated, so they are the same whatever the environment). A file without ${env:...} is kept as
// zod returned it, so zod does not run again either; one with them is kept as parsed and zod checks
// it with this environment. Only serve uses it: `nexus check` always checks everything.
// Entries hold the file as written, before interpolation: no environment value ever lands here.
// A missing, unreadable or corrupt entry is a miss; a failed write is ignored.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMIT, VERSION } from '../version.ts';

/** Bump when a check or the normalised form changes, so older entries are ignored. */
const FORMAT = 1;

/** A file that passed serve's checks, as cached. */
export interface CachedFile {
  /** checked: the file interpolates no ${env:...} and `value` is zod's output; else the parsed file. */
  readonly checked: boolean;
  readonly value: unknown;
}
export interface CacheEntry {
  readonly checked: boolean;
  /** The value's JSON (see `cacheable`). */
  readonly json: string;
}

export interface LoadCache {
  /** The key of a file's content (its bytes, or its text as UTF-8): hashed once, for `get` and `put`. */
  keyOf(source: string | Uint8Array): string;
  get(key: string): CachedFile | undefined;
  put(key: string, entry: CacheEntry): void;
  /** Removes every entry but those read or written since the cache was opened. */
  prune(): void;
}

const KEY_PREFIX = `nexus-load-cache ${FORMAT} ${VERSION} ${COMMIT}\0`;
// the bytes as read: a hit then never decodes the file (6 MB of UTF-8 costs ~50 ms to turn into a string)
const keyOf = (source: string | Uint8Array) => new Bun.CryptoHasher('sha256').update(KEY_PREFIX).update(source).digest('hex');

/** The cache in `<dir>` (serve uses `<data dir>/catalogue-cache`). */
export function fileLoadCache(dir: string): LoadCache {
  const used = new Set<string>();
  const entry = (key: string) => join(dir, `${key}.json`);
  return {
    keyOf,
    get(key) {
      try {
        const e = JSON.parse(readFileSync(entry(key), 'utf8')) as { key?: unknown; checked?: unknown; value?: unknown };
        if (e.key !== key || typeof e.checked !== 'boolean' || !('value' in e)) return undefined;
        used.add(key);
        return { checked: e.checked, value: e.value };
      } catch {
        return undefined;
      }
    },
    put(key, { checked, json }) {
      try {
        mkdirSync(dir, { recursive: true, mode: 0o700 }); // beside the vault: only the service user reads it
        const tmp = `${entry(key)}.${process.pid}.tmp`;
        writeFileSync(tmp, `{"key":${JSON.stringify(key)},"checked":${checked},"value":${json}}`, { mode: 0o600 });
        renameSync(tmp, entry(key));
        used.add(key);
      } catch {
        // a read-only or full data dir: start-up just parses again next time
      }
    },
    prune() {
      try {
        for (const name of readdirSync(dir)) {
          if (!used.has(name.replace(/\.json$/, ''))) rmSync(join(dir, name), { force: true });
        }
      } catch {
        // nothing cached yet
      }
    },
  };
}

/** The JSON of a parsed file, or undefined when JSON cannot carry it exactly (YAML's .nan, .inf, -0). */
export function cacheable(value: unknown): string | undefined {
  try {
    return JSON.stringify(value, exactInJson);
  } catch {
    return undefined;
  }
}

function exactInJson(_key: string, v: unknown): unknown {
  if (typeof v === 'number' && (!Number.isFinite(v) || Object.is(v, -0))) throw new Error('not exact in JSON');
  return v;
}
