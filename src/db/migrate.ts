// Applies sql/NNN_*.sql in order, each recorded in nexus_migrations, under a named lock so several
// instances starting at once apply each migration exactly once.
import { NexusError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { MIGRATIONS, type Migration } from './migrations.ts';
import type { Db } from './types.ts';

/** Statements of a migration file: `--` comments dropped, split at `;` ending a line. */
export function statements(sql: string): string[] {
  return sql
    .split('\n')
    .map((line) => line.replace(/--.*$/, ''))
    .join('\n')
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function checkOrder(migrations: readonly Migration[]): void {
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i - 1]!.name >= migrations[i]!.name) {
      throw new NexusError('INTERNAL', `migration ${migrations[i]!.name} is out of order`);
    }
  }
}

export async function migrate(db: Db, log: Logger, migrations: readonly Migration[] = MIGRATIONS): Promise<{ applied: string[] }> {
  checkOrder(migrations);
  return db.withLock('nexus-migrate', async (tx) => {
    await tx.run('CREATE TABLE IF NOT EXISTS nexus_migrations (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)');
    const done = new Set((await tx.query<{ name: string }>('SELECT name FROM nexus_migrations')).map((r) => r.name));
    const known = new Set(migrations.map((m) => m.name));
    const unknown = [...done].filter((n) => !known.has(n));
    if (unknown.length) log.warn('the database has migrations this build does not know', { migrations: unknown });
    const applied: string[] = [];
    for (const m of migrations) {
      if (done.has(m.name)) continue;
      try {
        for (const stmt of statements(m.sql)) await tx.run(stmt);
      } catch (e) {
        throw new NexusError('INTERNAL', `migration ${m.name} failed`, { cause: e });
      }
      await tx.run('INSERT INTO nexus_migrations (name, applied_at) VALUES ($1, $2)', [m.name, Date.now()]);
      log.info('migration applied', { migration: m.name });
      applied.push(m.name);
    }
    return { applied };
  });
}
