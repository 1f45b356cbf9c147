// Values read from the store, kept in memory for a short time: fresh for `freshMs` (so a change made
// on any instance is seen everywhere within it), then re-read. When the store does not answer
// (UNAVAILABLE) a value read within `graceMs` is served instead of failing, and while the store is
// known to be down no caller waits for it: one re-read runs in the background at a time.
import { isNexusError } from '../errors.ts';

export interface FreshOptions {
  readonly freshMs: number;
  /** How old a value may be served while the store is unreachable (0: never); read at each use. */
  readonly graceMs: number | (() => number);
  /** Entries kept at most (the oldest go first). */
  readonly max: number;
  /** Told each time a stale value is served because the store did not answer. */
  readonly onStale?: () => void;
  readonly now?: () => number;
}

export interface Fresh<V> {
  /** The value of key, from memory when fresh, else from load. `stale` says it was served during an outage. */
  get(key: string, load: () => Promise<V>): Promise<{ value: V; stale: boolean }>;
  /** Forgets key (a change was announced), or everything. */
  drop(key?: string): void;
  /** Re-reads key on its next use, but keeps its value for an outage (see graceMs). */
  stale(key: string): void;
}

interface Entry<V> {
  value?: { v: V; at: number; fresh: boolean };
  /** Bumped by stale(): a read that began before it does not count as fresh. */
  epoch: number;
  loading?: Promise<V>;
  /** When the last read failed with the store unreachable. */
  downAt?: number;
}

const unreachable = (e: unknown) => isNexusError(e) && e.code === 'UNAVAILABLE';

export function createFresh<V>(opts: FreshOptions): Fresh<V> {
  const now = opts.now ?? Date.now;
  const entries = new Map<string, Entry<V>>();

  const entry = (key: string) => {
    let e = entries.get(key);
    if (!e) {
      if (entries.size >= opts.max) entries.delete(entries.keys().next().value!);
      entries.set(key, (e = { epoch: 0 }));
    }
    return e;
  };

  const reload = (key: string, e: Entry<V>, load: () => Promise<V>): Promise<V> => {
    if (e.loading) return e.loading;
    const epoch = e.epoch;
    const p = load().then(
      (v) => {
        // a read that began before a drop() does not bring back what was dropped
        if (entries.get(key) === e) {
          e.value = { v, at: now(), fresh: e.epoch === epoch };
          e.downAt = undefined;
        }
        return v;
      },
      (err: unknown) => {
        if (unreachable(err) && entries.get(key) === e) e.downAt = now();
        throw err;
      },
    );
    e.loading = p;
    const done = () => {
      if (e.loading === p) e.loading = undefined;
    };
    p.then(done, done);
    return p;
  };

  const grace = typeof opts.graceMs === 'number' ? () => opts.graceMs as number : opts.graceMs;
  const usable = (e: Entry<V>) => e.value && now() - e.value.at <= grace();

  return {
    async get(key, load) {
      const e = entry(key);
      const t = now();
      if (e.value?.fresh && t - e.value.at < opts.freshMs) return { value: e.value.v, stale: false };
      const pending = reload(key, e, load);
      // the store is known to be down: serve what we have at once, the re-read goes on behind
      if (e.downAt !== undefined && usable(e)) {
        pending.catch(() => {});
        opts.onStale?.();
        return { value: e.value!.v, stale: true };
      }
      try {
        return { value: await pending, stale: false };
      } catch (err) {
        if (!unreachable(err) || !usable(e)) throw err;
        opts.onStale?.();
        return { value: e.value!.v, stale: true };
      }
    },
    stale(key) {
      const e = entries.get(key);
      if (!e) return;
      e.epoch++;
      e.loading = undefined; // a read already under way may predate the change
      if (e.value) e.value.fresh = false;
    },
    drop(key) {
      if (key === undefined) entries.clear();
      else entries.delete(key);
    },
  };
}
