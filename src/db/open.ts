// Picks the store: PostgreSQL when a DATABASE_URL is given (shared), else SQLite in the data dir.
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { NexusError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { DEFAULT_PG_LIMITS, describeUrl, openPostgres } from './postgres.ts';
import { openSqlite } from './sqlite.ts';
import type { Db } from './types.ts';

export interface OpenDbOptions {
  databaseUrl?: string;
  dataDir: string;
  log: Logger;
  /** PostgreSQL schema(s) to use instead of the URL's default (tests use one schema each). */
  searchPath?: string;
  /** How long a PostgreSQL statement may take before the caller gets UNAVAILABLE (NEXUS_DB_TIMEOUT). */
  timeoutMs?: number;
}

export const sqliteFile = (dataDir: string): string => join(dataDir, 'nexus.db');

export async function openDb(opts: OpenDbOptions): Promise<Db> {
  if (opts.databaseUrl) {
    const db = await openPostgres(opts.databaseUrl, {
      searchPath: opts.searchPath,
      ...(opts.timeoutMs && { limits: { ...DEFAULT_PG_LIMITS, timeoutMs: opts.timeoutMs } }),
    });
    opts.log.info('database opened', { kind: 'postgres', at: describeUrl(opts.databaseUrl) });
    return db;
  }
  const file = sqliteFile(opts.dataDir);
  try {
    mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
    // created 0600 first: SQLite gives its -wal and -shm files the database file's mode
    closeSync(openSync(file, 'a', 0o600));
    const db = openSqlite(file);
    opts.log.info('database opened', { kind: 'sqlite', file });
    return db;
  } catch (e) {
    throw new NexusError('UNAVAILABLE', `cannot open the SQLite database ${file}`, { cause: e });
  }
}
