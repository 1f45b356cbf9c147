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
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
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
  /** Writes the queued entries now (a value JSON cannot carry exactly is skipped: see `writeJson`). */
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
    const tmp = `${entry(key)}.${process.pid}.tmp`;
    let fd: number | undefined;
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 }); // beside the vault: only the service user reads it
      fd = openSync(tmp, 'w', 0o600);
      writeJson(fd, `{"key":${JSON.stringify(key)},"checked":${checked},"value":`, value, '}');
      closeSync(fd);
      fd = undefined;
      renameSync(tmp, entry(key));
    } catch {
      // a value JSON cannot carry exactly, or a read-only or full data dir: start-up parses again next time
      if (fd !== undefined) closeSync(fd);
      rmSync(tmp, { force: true });
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

const CHUNK_BYTES = 64 * 1024;

/**
 * `head`, the JSON of a parsed file, then `tail`, written to `fd` in chunks: the file's top two levels
 * (its keys, each tool) are turned into JSON one at a time, so writing a 6 MB catalogue never holds its
 * whole JSON text in memory (which an idle gateway would keep as RSS). Throws on a value JSON cannot
 * carry exactly (YAML's .nan, .inf, -0).
 */
function writeJson(fd: number, head: string, value: unknown, tail: string): void {
  let buffered: string[] = [head];
  let size = head.length;
  const out = (s: string) => {
    buffered.push(s);
    size += s.length;
    if (size >= CHUNK_BYTES) flushOut();
  };
  const flushOut = () => {
    writeSync(fd, buffered.join(''));
    buffered = [];
    size = 0;
  };
  const emit = (v: unknown, depth: number) => {
    if (depth < 2 && Array.isArray(v)) {
      out('[');
      v.forEach((item, i) => {
        if (i) out(',');
        emit(item, depth + 1);
      });
      out(']');
    } else if (depth < 2 && v !== null && typeof v === 'object') {
      out('{');
      let first = true;
      for (const [k, item] of Object.entries(v)) {
        if (item === undefined) continue; // as JSON.stringify leaves it out
        out(`${first ? '' : ','}${JSON.stringify(k)}:`);
        first = false;
        emit(item, depth + 1);
      }
      out('}');
    } else out(JSON.stringify(v, exactInJson) ?? 'null');
  };
  emit(value, 0);
  out(tail);
  flushOut();
}

function exactInJson(_key: string, v: unknown): unknown {
  if (typeof v === 'number' && (!Number.isFinite(v) || Object.is(v, -0))) throw new Error('not exact in JSON');
  return v;
}
