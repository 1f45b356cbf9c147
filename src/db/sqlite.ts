// The embedded Db: one bun:sqlite file in WAL mode. All work on a file in this process goes through
// one mutex, because a transaction spans awaits and SQLite's own locks would block the event loop.
import { Database } from 'bun:sqlite';
import { resolve } from 'node:path';
import { memoize } from '../util/memo.ts';
import { Mutex } from './mutex.ts';
import type { Db, Row, SqlValue } from './types.ts';

const mutexes = new Map<string, Mutex>();
const sharedMutex = (path: string): Mutex => {
  let m = mutexes.get(path);
  if (!m) mutexes.set(path, (m = new Mutex()));
  return m;
};

/** `$1` placeholders become SQLite's numbered `?1`. */
export const toSqlite = (sql: string): string => sql.replace(/\$(\d+)/g, '?$1');

// The same statements run again and again (an audit INSERT has up to 2,400 placeholders): convert each once
const sqliteText = memoize(toSqlite, 512);

const bind = (params: readonly SqlValue[]): Array<string | number | bigint | null> =>
  params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p));

class SqliteDb implements Db {
  readonly kind = 'sqlite' as const;
  constructor(
    private readonly conn: Database,
    private readonly mutex: Mutex,
    /** 0 outside a transaction; n inside n nested transactions (savepoints beyond the first). */
    private readonly depth: number,
  ) {}

  private exclusive<T>(fn: () => T | Promise<T>): Promise<T> {
    return this.depth === 0 ? this.mutex.run(fn) : Promise.resolve().then(fn);
  }

  query<T extends Row = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return this.exclusive(() => this.conn.query(sqliteText(sql)).all(...bind(params)) as T[]);
  }

  run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    // with parameters: one statement, prepared once and kept by bun:sqlite; without: may be several
    return this.exclusive(() => (params.length ? this.conn.query(sqliteText(sql)).run(...bind(params)) : this.conn.run(sql)).changes);
  }

  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    const inner = new SqliteDb(this.conn, this.mutex, this.depth + 1);
    const sp = `nexus_sp_${this.depth}`;
    const [begin, commit, rollback] =
      this.depth === 0
        ? ['BEGIN IMMEDIATE', 'COMMIT', 'ROLLBACK']
        : [`SAVEPOINT ${sp}`, `RELEASE ${sp}`, `ROLLBACK TO ${sp}; RELEASE ${sp}`];
    return this.exclusive(async () => {
      this.conn.run(begin);
      try {
        const out = await fn(inner);
        this.conn.run(commit);
        return out;
      } catch (e) {
        this.conn.exec(rollback);
        throw e;
      }
    });
  }

  /** The process mutex plus BEGIN IMMEDIATE (SQLite's write lock) covers every name at once. */
  withLock<T>(_name: string, fn: (db: Db) => Promise<T>): Promise<T> {
    return this.transaction(fn);
  }

  async close(): Promise<void> {
    if (this.depth === 0) await this.mutex.run(() => this.conn.close());
  }
}

/**
 * `synchronous: 'NORMAL'` (for the audit trail's own connection): a commit does not wait for the disk;
 * in WAL mode the file stays consistent, and a power cut can lose the last commits, no more than the
 * records the audit sink holds in memory anyway. Every other connection waits for the disk (FULL).
 */
export function openSqlite(file: string, opts: { synchronous?: 'FULL' | 'NORMAL' } = {}): Db {
  const conn = new Database(file, { create: true, readwrite: true });
  conn.exec(
    `PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; PRAGMA synchronous = ${opts.synchronous ?? 'FULL'};`,
  );
  return new SqliteDb(conn, file === ':memory:' ? new Mutex() : sharedMutex(resolve(file)), 0);
}
