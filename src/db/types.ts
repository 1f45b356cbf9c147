// The one SQL port every store uses. Two implementations: SQLite (bun:sqlite, embedded) and PostgreSQL
// (postgres.js, shared). SQL is written once, portably: `$1, $2` placeholders, TEXT/INTEGER/BIGINT
// columns, timestamps as BIGINT epoch milliseconds, binary as base64 TEXT.
export type SqlValue = string | number | bigint | boolean | null;
export type Row = Record<string, SqlValue>;

export interface Db {
  readonly kind: 'sqlite' | 'postgres';
  /** Rows of a query; `$n` placeholders. */
  query<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** A statement without results; returns affected row count. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /** Runs fn in one transaction (serialisable enough for our read-modify-write). */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  /**
   * Runs fn while holding a cluster-wide named lock (Postgres advisory lock; SQLite: process mutex +
   * BEGIN IMMEDIATE). Used for migrations and scheduled rotation so one instance at a time does it.
   */
  withLock<T>(name: string, fn: (db: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
