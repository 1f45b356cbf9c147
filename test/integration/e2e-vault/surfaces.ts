// Everything an attacker or an operator could read after some calls: every table as text (ciphertext
// columns apart), the SQLite file bytes, every Redis key and value under a prefix, a CLI's output.
import { existsSync, readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import type { Command } from '../../../src/cli/command.ts';
import { sqliteFile } from '../../../src/db/open.ts';
import type { Db } from '../../../src/db/types.ts';
import { TEST_REDIS_URL } from '../../helpers/gateway.ts';
import { encodings } from './fixtures.ts';

/** The vault's encrypted columns: the only place a secret may live, and only sealed. */
export const SEALED_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  vault_key_check: ['ciphertext'],
  vault_keks: ['wrapped_key'],
  vault_credential_versions: ['wrapped_dek', 'ciphertext'],
};

const COLUMNS_SQL = {
  sqlite: "SELECT m.name AS t, p.name AS c FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' ORDER BY 1, p.cid",
  postgres:
    'SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY 1, ordinal_position',
};

/** Every row of every table with each column cast to text, split into plain and sealed columns. */
export async function dumpTables(db: Db): Promise<{ plain: string; sealed: string; tables: string[] }> {
  const cols = await db.query<{ t: string; c: string }>(COLUMNS_SQL[db.kind as keyof typeof COLUMNS_SQL]);
  const byTable = new Map<string, string[]>();
  for (const { t, c } of cols) byTable.set(t, [...(byTable.get(t) ?? []), c]);
  const plain: unknown[] = [];
  const sealed: unknown[] = [];
  for (const [t, columns] of byTable) {
    const rows = await db.query(`SELECT ${columns.map((c) => `CAST("${c}" AS TEXT) AS "${c}"`).join(', ')} FROM "${t}"`);
    for (const row of rows) {
      for (const [c, v] of Object.entries(row)) (SEALED_COLUMNS[t]?.includes(c) ? sealed : plain).push([t, c, v]);
    }
  }
  return { plain: JSON.stringify(plain), sealed: JSON.stringify(sealed), tables: [...byTable.keys()] };
}

/** The SQLite file and its WAL as bytes: what a copied data dir would reveal. */
export const sqliteBytes = (dataDir: string) =>
  ['', '-wal']
    .map((s) => sqliteFile(dataDir) + s)
    .filter(existsSync)
    .map((f) => readFileSync(f).toString('latin1'))
    .join('\n');

/** Every key matching `*<id>*` with its value, read according to its type. */
export async function dumpRedis(id: string): Promise<{ text: string; keys: string[] }> {
  const r = new Redis(TEST_REDIS_URL);
  try {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await r.scan(cursor, 'MATCH', `*${id}*`, 'COUNT', 500);
      keys.push(...batch);
      cursor = next;
    } while (cursor !== '0');
    const out: unknown[] = [];
    for (const k of keys) {
      const type = await r.type(k);
      const value =
        type === 'string'
          ? await r.getBuffer(k).then((b) => b?.toString('latin1'))
          : type === 'hash'
            ? await r.hgetall(k)
            : type === 'list'
              ? await r.lrange(k, 0, -1)
              : type === 'set'
                ? await r.smembers(k)
                : type === 'zset'
                  ? await r.zrange(k, '0', '-1', 'WITHSCORES')
                  : type === 'stream'
                    ? await r.xrange(k, '-', '+')
                    : `(${type})`;
      out.push([k, type, value]);
    }
    return { text: JSON.stringify(out), keys };
  } finally {
    r.disconnect();
  }
}

/** Runs a CLI command with captured output. */
export async function runCommand(cmd: Command, argv: string[], env: Record<string, string | undefined>) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await cmd.run({ argv, env, stdout: (t) => out.push(t), stderr: (t) => err.push(t), stdin: async () => '' });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

/** `surface: form of canary #j (value)` for every canary form found on a surface; [] when none leaked. */
export function leaks(surfaces: Readonly<Record<string, string>>, canaries: readonly string[]): string[] {
  const found = Object.entries(surfaces).flatMap(([where, text]) =>
    canaries.flatMap((s, j) => encodings(s).flatMap(([form, e]) => (text.includes(e) ? [`${where}: ${form} canary ${j} (${s})`] : []))),
  );
  return [...new Set(found)];
}
