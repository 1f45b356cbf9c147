// Start-up cache of tool files that passed serve's checks, keyed by the SHA-256 of the file's text and
// of this build. An unchanged file is then not parsed (the YAML parse is most of a big catalogue's
// start-up) and its JSON Schemas are not checked against the meta-schema again (schemas are never
// interpolated, so they are the same whatever the environment). A file without ${env:...} is kept as
// zod returned it, so zod does not run again either; one with them is kept as parsed and zod checks
// it with this environment. Only serve uses it: `nexus check` always checks everything.
// Entries hold the file as written, before interpolation: no environment value ever lands here.
// A missing, unreadable or corrupt entry is a miss; a failed write is ignored. Entries are written a
// moment after the load (WRITE_DELAY_MS), once the gateway serves: turning a big catalogue into JSON
// and writing it (~80 ms for GitHub's 6 MB import) is work for the next start, not for this one.
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
  /** What `CachedFile.value` will be; never changed after the load (it is written later, see `flush`). */
  readonly value: unknown;
}

export interface LoadCache {
  /** The key of a file's content (its bytes, or its text as UTF-8): hashed once, for `get` and `put`. */
  keyOf(source: string | Uint8Array): string;
  get(key: string): CachedFile | undefined;
  /** Queues the entry; it is written WRITE_DELAY_MS later, or by `flush`. */
  put(key: string, entry: CacheEntry): void;
  /** Writes the queued entries now (a value JSON cannot carry exactly is skipped: see `cacheable`). */
  flush(): void;
  /** Removes every entry but those read or written since the cache was opened. */
  prune(): void;
}

/** How long after a load its entries are written: past the start, while the gateway idles. */
export const WRITE_DELAY_MS = 1000;

const KEY_PREFIX = `nexus-load-cache ${FORMAT} ${VERSION} ${COMMIT}\0`;
// the bytes as read: a hit then never decodes the file (6 MB of UTF-8 costs ~50 ms to turn into a string)
const keyOf = (source: string | Uint8Array) => new Bun.CryptoHasher('sha256').update(KEY_PREFIX).update(source).digest('hex');

/** The cache in `<dir>` (serve uses `<data dir>/catalogue-cache`). */
export function fileLoadCache(dir: string): LoadCache {
  const used = new Set<string>();
  const pending = new Map<string, CacheEntry>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const entry = (key: string) => join(dir, `${key}.json`);
  const write = (key: string, { checked, value }: CacheEntry) => {
    const json = cacheable(value);
    if (json === undefined) return;
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 }); // beside the vault: only the service user reads it
      const tmp = `${entry(key)}.${process.pid}.tmp`;
      writeFileSync(tmp, `{"key":${JSON.stringify(key)},"checked":${checked},"value":${json}}`, { mode: 0o600 });
      renameSync(tmp, entry(key));
    } catch {
      // a read-only or full data dir: start-up just parses again next time
    }
  };
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    for (const [key, e] of pending) write(key, e);
    pending.clear();
  };
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
    put(key, e) {
      pending.set(key, e);
      used.add(key);
      // unref: a process that stops sooner just parses again next time
      timer ??= setTimeout(flush, WRITE_DELAY_MS).unref();
    },
    flush,
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
function cacheable(value: unknown): string | undefined {
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
