// A vault on SQLite in a temp dir, for unit tests of the edges around it.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from '../../../src/db/migrate.ts';
import { openDb } from '../../../src/db/open.ts';
import type { Db } from '../../../src/db/types.ts';
import { silentLogger } from '../../../src/log.ts';
import { Vault } from '../../../src/vault/vault.ts';

export const secretValue = (label: string): string => `${label}-${randomBytes(12).toString('hex')}`;

export async function tempVault(): Promise<{ vault: Vault; db: Db; masterKey: Uint8Array; dataDir: string; close(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'nexus-vault-'));
  const db = await openDb({ dataDir, log: silentLogger });
  await migrate(db, silentLogger);
  const masterKey = new Uint8Array(randomBytes(32));
  const vault = await Vault.open(db, masterKey);
  return {
    vault,
    db,
    masterKey,
    dataDir,
    close: async () => {
      await db.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
