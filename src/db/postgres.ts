// The shared Db: PostgreSQL through postgres.js. Named locks are transaction-scoped advisory locks,
// keyed by schema + name, so they are released even if the holder dies mid-way.
import type postgres from 'postgres';

// Loaded only when DATABASE_URL is set: the embedded mode never pays for the driver
const driver = () => (require('postgres') as { default: typeof postgres }).default;

import { NexusError } from '../errors.ts';
import type { Db, Row, SqlValue } from './types.ts';

type Sql = postgres.Sql | postgres.TransactionSql;
type Params = Parameters<postgres.Sql['unsafe']>[1];

const LOCK_SQL = "SELECT pg_advisory_xact_lock(hashtextextended(current_schema() || ':' || $1, 0))";

class PostgresDb implements Db {
  readonly kind = 'postgres' as const;
  constructor(
    private readonly sql: Sql,
    private readonly inTx: boolean,
  ) {}

  async query<T extends Row = Row>(text: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return Array.from(await this.sql.unsafe(text, params as Params)) as unknown as T[];
  }

  async run(text: string, params: readonly SqlValue[] = []): Promise<number> {
    return (await this.sql.unsafe(text, params as Params)).count;
  }

  async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    const body = (tx: postgres.TransactionSql) => fn(new PostgresDb(tx, true));
    const out = this.inTx ? (this.sql as postgres.TransactionSql).savepoint(body) : (this.sql as postgres.Sql).begin(body);
    return (await out) as T;
  }

  withLock<T>(name: string, fn: (db: Db) => Promise<T>): Promise<T> {
    return this.transaction(async (tx) => {
      await tx.query(LOCK_SQL, [name]);
      return fn(tx);
    });
  }

  async close(): Promise<void> {
    if (!this.inTx) await (this.sql as postgres.Sql).end({ timeout: 5 });
  }
}

/** Where a URL points, without user or password: safe for messages and logs. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return 'an unparseable DATABASE_URL';
  }
}

export async function openPostgres(url: string, opts: { searchPath?: string; max?: number } = {}): Promise<Db> {
  const sql = driver()(url, {
    max: opts.max ?? 10,
    onnotice: () => {},
    connection: opts.searchPath ? { search_path: opts.searchPath } : {},
    // BIGINT columns hold epoch milliseconds: numbers, not strings.
    types: { int8: { to: 20, from: [20], serialize: (x: unknown) => String(x), parse: (x: string) => Number(x) } },
  });
  try {
    await sql`SELECT 1`;
  } catch (e) {
    await sql.end({ timeout: 1 }).catch(() => {});
    throw new NexusError('UNAVAILABLE', `cannot connect to PostgreSQL at ${describeUrl(url)}`, { cause: e });
  }
  return new PostgresDb(sql, false);
}
