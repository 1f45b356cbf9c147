// Client-key rows in the Db (table client_keys, sql/002_keys.sql). Holds hashes only, never a key.
import type { Db } from '../db/types.ts';

export interface KeyRow {
  readonly name: string;
  /** Hex SHA-256 of the key. */
  readonly hash: string;
  readonly tools: readonly string[];
  readonly createdAt: number;
  readonly expiresAt?: number;
  readonly revokedAt?: number;
  readonly lastUsedAt?: number;
}

interface DbRow {
  [column: string]: string | number | null;
  name: string;
  key_hash: string;
  tools: string;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  last_used_at: number | null;
}

const COLUMNS = 'name, key_hash, tools, created_at, expires_at, revoked_at, last_used_at';

const fromDb = (r: DbRow): KeyRow => ({
  name: r.name,
  hash: r.key_hash,
  tools: JSON.parse(r.tools) as string[],
  createdAt: Number(r.created_at),
  ...(r.expires_at !== null && { expiresAt: Number(r.expires_at) }),
  ...(r.revoked_at !== null && { revokedAt: Number(r.revoked_at) }),
  ...(r.last_used_at !== null && { lastUsedAt: Number(r.last_used_at) }),
});

export interface KeyStore {
  /** Inserts a key; a revoked key of the same name is replaced. False when an active one holds the name. */
  insert(row: KeyRow): Promise<boolean>;
  list(): Promise<KeyRow[]>;
  /** Keys neither revoked nor expired at `now`. */
  active(now: number): Promise<KeyRow[]>;
  /** Marks the key revoked and returns its hash; undefined when there is no unrevoked key of that name. */
  revoke(name: string, now: number): Promise<string | undefined>;
  touch(name: string, now: number): Promise<void>;
}

export function createKeyStore(db: Db): KeyStore {
  return {
    insert: (row) =>
      db.transaction(async (tx) => {
        const existing = await tx.query<{ revoked_at: number | null }>('SELECT revoked_at FROM client_keys WHERE name = $1', [row.name]);
        if (existing.length && existing[0]!.revoked_at === null) return false;
        await tx.run('DELETE FROM client_keys WHERE name = $1', [row.name]);
        await tx.run(`INSERT INTO client_keys (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, NULL, NULL)`, [
          row.name,
          row.hash,
          JSON.stringify(row.tools),
          row.createdAt,
          row.expiresAt ?? null,
        ]);
        return true;
      }),
    list: async () => (await db.query<DbRow>(`SELECT ${COLUMNS} FROM client_keys ORDER BY name`)).map(fromDb),
    active: async (now) =>
      (
        await db.query<DbRow>(`SELECT ${COLUMNS} FROM client_keys WHERE revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $1)`, [
          now,
        ])
      ).map(fromDb),
    revoke: async (name, now) =>
      (
        await db.query<{ key_hash: string }>(
          'UPDATE client_keys SET revoked_at = $2 WHERE name = $1 AND revoked_at IS NULL RETURNING key_hash',
          [name, now],
        )
      )[0]?.key_hash,
    touch: async (name, now) => {
      await db.run('UPDATE client_keys SET last_used_at = $2 WHERE name = $1', [name, now]);
    },
  };
}
