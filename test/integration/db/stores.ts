// A fresh store per test file: SQLite in a temp dir, or PostgreSQL in a uniquely named schema.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { migrate } from '../../../src/db/migrate.ts';
import { openDb, sqliteFile } from '../../../src/db/open.ts';
import type { Db } from '../../../src/db/types.ts';
import { silentLogger } from '../../../src/log.ts';
import { TEST_DATABASE_URL } from '../../helpers/test-services.ts';

export const PG_URL = TEST_DATABASE_URL;
export const STORE_KINDS = ['sqlite', 'postgres'] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

export interface TestStore {
  readonly kind: StoreKind;
  /** The first connection (migrated unless asked otherwise). */
  readonly db: Db;
  /** Another connection to the same store, as a second instance would have. */
  open(): Promise<Db>;
  /** Every row of every table as text, plus (SQLite) the raw file bytes: what an attacker could read. */
  dump(): Promise<string>;
  close(): Promise<void>;
}

const tableDump = async (db: Db, tables: string[]) => JSON.stringify(await Promise.all(tables.map((t) => db.query(`SELECT * FROM ${t}`))));

export async function testStore(kind: StoreKind, opts: { migrated?: boolean } = {}): Promise<TestStore> {
  const opened: Db[] = [];
  let open: () => Promise<Db>;
  let tables: (db: Db) => Promise<string[]>;
  let raw = async () => '';
  let cleanup: () => Promise<void>;
  if (kind === 'sqlite') {
    const dataDir = mkdtempSync(join(tmpdir(), 'nexus-db-'));
    open = () => openDb({ dataDir, log: silentLogger });
    tables = async (db) => (await db.query<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")).map((r) => r.name);
    raw = async () =>
      ['', '-wal']
        .map((s) => sqliteFile(dataDir) + s)
        .filter(existsSync)
        .map((f) => readFileSync(f).toString('latin1'))
        .join('\n');
    cleanup = async () => rmSync(dataDir, { recursive: true, force: true });
  } else {
    const schema = `t_nxdb_${crypto.randomUUID().replace(/-/g, '').slice(0, 16)}`;
    const admin = postgres(PG_URL, { onnotice: () => {}, max: 1 });
    await admin.unsafe(`CREATE SCHEMA ${schema}`);
    open = () => openDb({ databaseUrl: PG_URL, dataDir: '/nonexistent', log: silentLogger, searchPath: schema });
    tables = async (db) =>
      (await db.query<{ t: string }>('SELECT table_name AS t FROM information_schema.tables WHERE table_schema = $1', [schema])).map(
        (r) => r.t,
      );
    cleanup = async () => {
      await admin.unsafe(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    };
  }
  const tracked = async () => {
    const db = await open();
    opened.push(db);
    return db;
  };
  const db = await tracked();
  if (opts.migrated !== false) await migrate(db, silentLogger);
  return {
    kind,
    db,
    open: tracked,
    dump: async () => (await tableDump(db, await tables(db))) + (await raw()),
    close: async () => {
      await Promise.all(opened.map((d) => d.close()));
      await cleanup();
    },
  };
}
