// The vault's SQL, written once for both SQLite and PostgreSQL. No crypto here: rows in, rows out.
import type { Db } from '../db/types.ts';

export type KekRow = { version: number; nonce: string; wrapped_key: string; created_at: number };
export type CredentialRow = {
  id: string;
  name: string;
  type: string;
  principal: string | null;
  version: number;
  created_at: number;
  updated_at: number;
};
/** A credential version with its wrapped DEK and the wrapped KEK that opens it, read in one statement. */
export type VersionRow = {
  credential_id: string;
  name: string;
  type: string;
  principal: string | null;
  version: number;
  kek_version: number;
  dek_nonce: string;
  wrapped_dek: string;
  nonce: string;
  ciphertext: string;
  kek_nonce: string;
  kek_wrapped: string;
};

const CRED = 'id, name, type, principal, version, created_at, updated_at';
const VERSION = `SELECT c.id AS credential_id, c.name, c.type, c.principal, v.version, v.kek_version, v.dek_nonce,
  v.wrapped_dek, v.nonce, v.ciphertext, k.nonce AS kek_nonce, k.wrapped_key AS kek_wrapped
  FROM vault_credentials c
  JOIN vault_credential_versions v ON v.credential_id = c.id
  JOIN vault_keks k ON k.version = v.kek_version`;
/** Matches the principal's own row or the shared one; the principal's sorts first. */
const FOR_PRINCIPAL = 'c.name = $1 AND (c.principal = $2 OR c.principal IS NULL) ORDER BY (c.principal IS NULL) LIMIT 1';

export class VaultStore {
  constructor(readonly db: Db) {}

  async keyCheck(): Promise<{ nonce: string; ciphertext: string } | undefined> {
    return (await this.db.query<{ nonce: string; ciphertext: string }>('SELECT nonce, ciphertext FROM vault_key_check WHERE id = 1'))[0];
  }

  async saveKeyCheck(nonce: string, ciphertext: string, now: number): Promise<void> {
    await this.db.run(
      `INSERT INTO vault_key_check (id, nonce, ciphertext, updated_at) VALUES (1, $1, $2, $3)
       ON CONFLICT (id) DO UPDATE SET nonce = excluded.nonce, ciphertext = excluded.ciphertext, updated_at = excluded.updated_at`,
      [nonce, ciphertext, now],
    );
  }

  keks(): Promise<KekRow[]> {
    return this.db.query<KekRow>('SELECT version, nonce, wrapped_key, created_at FROM vault_keks ORDER BY version');
  }

  async currentKek(): Promise<KekRow | undefined> {
    return (await this.db.query<KekRow>('SELECT version, nonce, wrapped_key, created_at FROM vault_keks ORDER BY version DESC LIMIT 1'))[0];
  }

  async insertKek(version: number, nonce: string, wrapped: string, now: number): Promise<void> {
    await this.db.run('INSERT INTO vault_keks (version, nonce, wrapped_key, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)', [
      version,
      nonce,
      wrapped,
      now,
    ]);
  }

  async updateKek(version: number, nonce: string, wrapped: string, now: number): Promise<void> {
    await this.db.run('UPDATE vault_keks SET nonce = $2, wrapped_key = $3, updated_at = $4 WHERE version = $1', [
      version,
      nonce,
      wrapped,
      now,
    ]);
  }

  /** Drops KEKs older than `current` that no DEK uses any more. */
  retireKeks(current: number): Promise<number> {
    return this.db.run(
      `DELETE FROM vault_keks WHERE version < $1
       AND NOT EXISTS (SELECT 1 FROM vault_credential_versions v WHERE v.kek_version = vault_keks.version)`,
      [current],
    );
  }

  async credential(name: string, principal: string | null): Promise<CredentialRow | undefined> {
    return (await this.db.query<CredentialRow>(`SELECT ${CRED} FROM vault_credentials c WHERE ${FOR_PRINCIPAL}`, [name, principal]))[0];
  }

  /** Creates the row if needed, then claims the next version (a row lock serialises concurrent puts). */
  async nextVersion(id: string, name: string, type: string, principal: string | null, now: number): Promise<CredentialRow> {
    await this.db.run(`INSERT INTO vault_credentials (${CRED}) VALUES ($1, $2, $3, $4, 0, $5, $5) ON CONFLICT DO NOTHING`, [
      id,
      name,
      type,
      principal,
      now,
    ]);
    const rows = await this.db.query<CredentialRow>(
      `UPDATE vault_credentials SET version = version + 1, type = $3, updated_at = $4
       WHERE name = $1 AND COALESCE(principal, '') = $2 RETURNING ${CRED}`,
      [name, principal ?? '', type, now],
    );
    return rows[0]!;
  }

  async insertVersion(r: Omit<VersionRow, 'name' | 'type' | 'principal' | 'kek_nonce' | 'kek_wrapped'>, now: number): Promise<void> {
    await this.db.run(
      `INSERT INTO vault_credential_versions (credential_id, version, kek_version, dek_nonce, wrapped_dek, nonce, ciphertext, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [r.credential_id, r.version, r.kek_version, r.dek_nonce, r.wrapped_dek, r.nonce, r.ciphertext, now],
    );
  }

  /** The current version of the principal's credential, else of the shared one. */
  async current(name: string, principal: string | null): Promise<VersionRow | undefined> {
    return (await this.db.query<VersionRow>(`${VERSION} WHERE v.version = c.version AND ${FOR_PRINCIPAL}`, [name, principal]))[0];
  }

  /** Every stored version (rotation re-wraps old versions' DEKs too). */
  allVersions(): Promise<VersionRow[]> {
    return this.db.query<VersionRow>(`${VERSION} ORDER BY c.id, v.version`);
  }

  async rewrap(credentialId: string, version: number, kekVersion: number, nonce: string, wrapped: string): Promise<void> {
    await this.db.run(
      'UPDATE vault_credential_versions SET kek_version = $3, dek_nonce = $4, wrapped_dek = $5 WHERE credential_id = $1 AND version = $2',
      [credentialId, version, kekVersion, nonce, wrapped],
    );
  }

  list(): Promise<CredentialRow[]> {
    return this.db.query<CredentialRow>(`SELECT ${CRED} FROM vault_credentials WHERE version > 0 ORDER BY name, COALESCE(principal, '')`);
  }

  /** Deletes exactly the (name, principal) row and its versions; false when there was none. */
  async delete(name: string, principal: string | null): Promise<boolean> {
    const p = principal ?? '';
    await this.db.run(
      `DELETE FROM vault_credential_versions WHERE credential_id IN
       (SELECT id FROM vault_credentials WHERE name = $1 AND COALESCE(principal, '') = $2)`,
      [name, p],
    );
    return (await this.db.run("DELETE FROM vault_credentials WHERE name = $1 AND COALESCE(principal, '') = $2", [name, p])) > 0;
  }
}
