// What a crash can lose of the audit trail: nothing an answered call recorded. Every record is
// written (redacted, one JSON line) into a spool file in the data dir before the call answers: one
// positioned write, after which the page cache holds it, so a killed process loses none. The sink
// ships batches to the store and marks them shipped; a spool left by a process that died is replayed
// into the store at the next start, skipping rows the store already has. The spool is fsynced (on the
// thread pool) once per flush interval, so a machine crash loses about that interval.
// Not a shared memory mapping: each fsync write-protects the pages it cleans, and the next record
// then faults, which costs a TLB shootdown across all of the process's threads, far more than a write.
import { closeSync, fdatasync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { SqlValue } from '../db/types.ts';
import type { Logger } from '../log.ts';
import type { AuditRecord } from './record.ts';
import { type AuditStore, recordOfRow, toRow } from './store.ts';

/** Bytes of one segment before the next one starts (a record never spans two). */
const SEGMENT_BYTES = 4 << 20;
const FILE = /^(spool-\d+-(\d+)-[0-9a-f]+)-\d+\.jsonl(?:\.replay-(\d+))?$/;

/** A record as the spool holds it: its sequence number and its line, the JSON of `[seq, ...toRow(r)]`. */
export interface Spooled {
  readonly seq: number;
  readonly line: string;
}

export interface AuditSpool {
  /** Writes the record into the spool now. */
  append(r: AuditRecord): Spooled;
  /** Every record up to `seq` is in the store (or given up on). */
  shipped(seq: number): void;
  /** Forces what was written to disk (once per flush). */
  sync(): void;
  close(): void;
}

/** Spool files this process writes (several gateways can run in one process, as in tests). */
const mine = new Set<string>();

const alive = (pid: number) => {
  if (pid === process.pid) return false; // our own pid on a file we did not open: a previous life (containers reuse pid 1)
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

export function spoolDir(dataDir: string): string {
  return join(dataDir, 'audit-spool');
}

interface Segment {
  readonly path: string;
  readonly fd: number;
  /** Bytes it may hold. */
  readonly bytes: number;
  /** Highest sequence number written into it. */
  last: number;
}

const TERMINATOR = new Uint8Array(1);

function segment(path: string, bytes: number): Segment {
  const fd = openSync(path, 'w+', 0o600);
  mine.add(path);
  return { path, fd, bytes, last: 0 };
}

/** Opens a fresh spool of this process in `dir`; undefined (logged) when the dir is not writable. */
export function openAuditSpool(dir: string, log: Logger): AuditSpool | undefined {
  const base = join(dir, `spool-${Date.now()}-${process.pid}-${Math.random().toString(16).slice(2, 10)}`);
  const segments: Segment[] = [];
  const spare: Segment[] = [];
  // a segment starts empty: its first byte is the terminator
  const restart = (s: Segment) => void writeSync(s.fd, TERMINATOR, 0, 1, 0);
  const add = (bytes: number) => {
    const s = spare.length && bytes <= SEGMENT_BYTES ? spare.pop()! : segment(`${base}-${segments.length + spare.length}.jsonl`, bytes);
    restart(s);
    s.last = 0;
    segments.push(s);
    return s;
  };
  let cur: Segment;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    cur = add(SEGMENT_BYTES);
  } catch (e) {
    log.warn('audit spool unavailable: a crash can lose the audit records of the last flush interval', { dir, err: e });
    return undefined;
  }
  let off = 0;
  let seq = 0;
  let dirty = false;
  // the text ends with its line's terminator, written in the same write, so a line cut by a kill is never
  // followed by an older one; the write encodes the string itself (no copy into a buffer of ours first)
  const write = (text: string) => {
    if (off + text.length * 3 > cur.bytes) {
      const n = Buffer.byteLength(text);
      if (off + n > cur.bytes) {
        cur = add(Math.max(SEGMENT_BYTES, n));
        off = 0;
      }
    }
    off += writeSync(cur.fd, text, off, 'utf8') - 1; // the next line starts on the terminator
    dirty = true;
  };
  return {
    append(r) {
      // the JSON of [seq, ...row], without building that array
      const line = `[${++seq},${JSON.stringify(toRow(r)).slice(1)}`;
      write(`${line}\n\0`);
      cur.last = seq;
      return { seq, line };
    },
    shipped(upTo) {
      write(`{"shipped":${upTo}}\n\0`);
      for (const s of segments.filter((s) => s !== cur && s.last <= upTo)) {
        segments.splice(segments.indexOf(s), 1);
        restart(s);
        if (s.bytes === SEGMENT_BYTES) spare.push(s);
      }
      if (upTo >= seq) {
        restart(cur); // all shipped: the segment starts over
        off = 0;
      }
    },
    sync() {
      if (!dirty) return;
      dirty = false;
      for (const s of segments) fdatasync(s.fd, () => {}); // on the thread pool: the disk never holds the event loop
    },
    close() {
      for (const s of [...segments, ...spare]) {
        closeSync(s.fd);
        rmSync(s.path, { force: true });
        mine.delete(s.path);
      }
    },
  };
}

type Line = [number, ...SqlValue[]] | { shipped: number };

/** Records of one dead process's spool that were never marked shipped. */
function unshipped(text: string): AuditRecord[] {
  const rows: Array<[number, SqlValue[]]> = [];
  let upTo = 0;
  for (const l of text.split('\n')) {
    if (!l) continue;
    let v: Line;
    try {
      v = JSON.parse(l) as Line;
    } catch {
      continue; // a line cut by the crash
    }
    if (Array.isArray(v)) rows.push([v[0], v.slice(1) as SqlValue[]]);
    else upTo = Math.max(upTo, v.shipped);
  }
  return rows.filter(([s]) => s > upTo).map(([, row]) => recordOfRow(row));
}

const same = (a: AuditRecord, b: AuditRecord) =>
  a.time === b.time &&
  a.caller === b.caller &&
  a.tool === b.tool &&
  a.outcome === b.outcome &&
  a.requestId === b.requestId &&
  a.latencyMs === b.latencyMs;

/** Ships the spools of dead processes in `dir` into the store (rows it has already skipped); returns how many. */
export async function replayAuditSpools(dir: string, store: Pick<AuditStore, 'insert' | 'query'>, log: Logger): Promise<number> {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  const spools = new Map<string, string[]>();
  for (const name of names) {
    const m = FILE.exec(name);
    // the writer, or an instance that had started replaying it, still running: not ours
    if (!m || mine.has(join(dir, name)) || alive(Number(m[3] ?? m[2]))) continue;
    const claimed = join(dir, `${name.replace(/\.replay-\d+$/, '')}.replay-${process.pid}`);
    try {
      renameSync(join(dir, name), claimed); // one instance replays it, even when several start at once
    } catch {
      continue;
    }
    spools.set(m[1]!, [...(spools.get(m[1]!) ?? []), claimed]);
  }
  let total = 0;
  for (const files of spools.values()) {
    const records = unshipped(
      files
        .map((f) => readFileSync(f, 'latin1'))
        .map(untilEnd)
        .join('\n'),
    );
    if (records.length) {
      // a batch the store committed just before the crash, not yet marked shipped, is there already
      const since = Math.min(...records.map((r) => r.time));
      const until = Math.max(...records.map((r) => r.time));
      const have = (await store.query({ since, limit: 10_000 })).filter((r) => r.time <= until);
      const missing = records.filter((r) => !have.some((h) => same(h, r)));
      await store.insert(missing);
      total += missing.length;
    }
    for (const f of files) rmSync(f, { force: true });
  }
  if (total) log.warn('audit records of a process that stopped without flushing were recovered from its spool', { records: total });
  return total;
}

/** A segment's text up to its terminator, decoded as UTF-8. */
function untilEnd(latin1: string): string {
  const end = latin1.indexOf('\0');
  return Buffer.from(end < 0 ? latin1 : latin1.slice(0, end), 'latin1').toString('utf8');
}
