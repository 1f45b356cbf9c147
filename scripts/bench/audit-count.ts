// Audit rows an embedded gateway wrote (its SQLite file), read-only; undefined when there is none.
import { Database } from 'bun:sqlite';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export function auditRows(dataDir: string): number | undefined {
  const file = join(dataDir, 'nexus.db');
  if (!existsSync(file)) return undefined;
  const db = new Database(file, { readonly: true });
  try {
    const t = db.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'audit_log'").get();
    return t ? (db.query('SELECT count(*) AS n FROM audit_log').get() as { n: number }).n : undefined;
  } finally {
    db.close();
  }
}
