// The shared Db: PostgreSQL through postgres.js. Named locks are transaction-scoped advisory locks,
// keyed by schema + name, so they are released even if the holder dies mid-way. Every statement is
// bounded in time on this side (a stopped or partitioned server answers nothing, so its own
// statement_timeout cannot help): past `timeoutMs` the caller gets UNAVAILABLE, and so does a caller
// that cannot reach the server at all. Waiting for a named lock may take up to `lockTimeoutMs`.
import type postgres from 'postgres';

// Loaded only when DATABASE_URL is set: the embedded mode never pays for the driver
const driver = () => (require('postgres') as { default: typeof postgres }).default;

import { NexusError } from '../errors.ts';
import { formatDuration } from '../util/duration.ts';
import type { Db, Row, SqlValue } from './types.ts';

export interface PostgresLimits {
  /** Longest wait for one statement, a connection, a BEGIN or a COMMIT. */
  readonly timeoutMs: number;
  /** Longest wait for a named lock another instance holds (migrations, rotation). */
  readonly lockTimeoutMs: number;
}

export const DEFAULT_PG_LIMITS: PostgresLimits = { timeoutMs: 2000, lockTimeoutMs: 60_000 };

const silent = () => {};

/** Server errors (constraint violations...) pass as they are; failing to reach the server is UNAVAILABLE. */
function storeError(e: unknown): unknown {
  if (e instanceof NexusError || e instanceof driver().PostgresError) return e;
  const code = (e as { code?: string }).code;
  return new NexusError('UNAVAILABLE', `PostgreSQL is unreachable${code ? ` (${code})` : ''}`, { cause: e });
}

/** p, or UNAVAILABLE after ms (told to onTimeout too, so an enclosing transaction gives up at once). */
function bounded<T>(p: Promise<T>, ms: number, what: string, onTimeout?: (e: NexusError) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      const e = new NexusError('UNAVAILABLE', `PostgreSQL did not answer within ${formatDuration(ms)} (${what})`);
      onTimeout?.(e);
      reject(e);
    }, ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        clearTimeout(timer);
        reject(storeError(e));
      },
    );
  });
}

type Sql = postgres.Sql | postgres.TransactionSql;
type Params = Parameters<postgres.Sql['unsafe']>[1];

const LOCK_SQL = "SELECT pg_advisory_xact_lock(hashtextextended(current_schema() || ':' || $1, 0))";

class PostgresDb implements Db {
  readonly kind = 'postgres' as const;
  constructor(
    private readonly sql: Sql,
    private readonly inTx: boolean,
    private readonly limits: PostgresLimits,
    /** Inside a transaction: gives up the whole transaction when one of its statements timed out. */
    private readonly abandon?: (e: NexusError) => void,
  ) {}

  private statement<T>(text: string, params: readonly SqlValue[]): Promise<T> {
    const ms = text === LOCK_SQL ? this.limits.lockTimeoutMs : this.limits.timeoutMs;
    return bounded(this.sql.unsafe(text, params as Params) as unknown as Promise<T>, ms, 'statement', this.abandon);
  }

  async query<T extends Row = Row>(text: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return Array.from(await this.statement<Iterable<T>>(text, params));
  }

  async run(text: string, params: readonly SqlValue[] = []): Promise<number> {
    return (await this.statement<{ count: number }>(text, params)).count;
  }

  async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    if (this.inTx) {
      const body = (tx: postgres.TransactionSql) => fn(new PostgresDb(tx, true, this.limits, this.abandon));
      return (await (this.sql as postgres.TransactionSql).savepoint(body)) as T;
    }
    // bounded at each step that waits on the server: a connection and BEGIN, each statement, COMMIT
    let giveUp: (e: NexusError) => void = silent;
    const abandoned = new Promise<never>((_, reject) => (giveUp = reject));
    abandoned.catch(silent);
    const ms = this.limits.timeoutMs;
    const begun = setTimeout(
      () => giveUp(new NexusError('UNAVAILABLE', `PostgreSQL did not answer within ${formatDuration(ms)} (BEGIN)`)),
      ms,
    );
    let committing: ReturnType<typeof setTimeout> | undefined;
    let thrown: unknown; // fn's own error passes as it is, it is not the store failing
    const body = async (tx: postgres.TransactionSql) => {
      clearTimeout(begun);
      const out = await fn(new PostgresDb(tx, true, this.limits, giveUp)).catch((e: unknown) => {
        thrown = e;
        throw e;
      });
      committing = setTimeout(
        () => giveUp(new NexusError('UNAVAILABLE', `PostgreSQL did not answer within ${formatDuration(ms)} (COMMIT)`)),
        ms,
      );
      return out;
    };
    const run = (this.sql as postgres.Sql).begin(body) as Promise<T>;
    try {
      return await Promise.race([run.catch((e) => Promise.reject(e === thrown ? e : storeError(e))), abandoned]);
    } finally {
      clearTimeout(begun);
      clearTimeout(committing);
      run.catch(silent);
    }
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

export async function openPostgres(url: string, opts: { searchPath?: string; max?: number; limits?: PostgresLimits } = {}): Promise<Db> {
  const limits = opts.limits ?? DEFAULT_PG_LIMITS;
  const sql = driver()(url, {
    max: opts.max ?? 10,
    onnotice: () => {},
    connect_timeout: Math.max(1, Math.ceil(limits.timeoutMs / 1000)),
    // a backstop for a live but slow server; a stopped one is bounded on this side (above)
    connection: { statement_timeout: limits.lockTimeoutMs, ...(opts.searchPath && { search_path: opts.searchPath }) },
    // BIGINT columns hold epoch milliseconds: numbers, not strings.
    types: { int8: { to: 20, from: [20], serialize: (x: unknown) => String(x), parse: (x: string) => Number(x) } },
  });
  try {
    await bounded((async () => sql`SELECT 1`)(), limits.timeoutMs, 'connect');
  } catch (e) {
    await sql.end({ timeout: 1 }).catch(() => {});
    throw new NexusError('UNAVAILABLE', `cannot connect to PostgreSQL at ${describeUrl(url)}`, { cause: e });
  }
  return new PostgresDb(sql, false, limits);
}
