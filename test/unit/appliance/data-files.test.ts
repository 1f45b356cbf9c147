import { afterAll, expect, test } from 'bun:test';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from '../../../src/db/open.ts';
import { createLogger } from '../../../src/log.ts';
import { loadMasterKey } from '../../../src/vault/master-key.ts';

const root = mkdtempSync(join(tmpdir(), 'nexus-data-files-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const mode = (p: string) => (statSync(p).mode & 0o777).toString(8);

test('the embedded store and the generated master key are readable by their owner only, whatever the umask', async () => {
  const dataDir = join(root, 'data');
  const log = createLogger({ level: 'error', write: () => {} });
  const before = process.umask(0o022);
  try {
    loadMasterKey({ dataDir }, log);
    const db = await openDb({ dataDir, log });
    await db.query('CREATE TABLE t (x INTEGER)');
    await db.query('INSERT INTO t VALUES (1)');
    const files = Object.fromEntries(readdirSync(dataDir).map((n) => [n, mode(join(dataDir, n))]));
    await db.close();
    expect({ dir: mode(dataDir), files }).toEqual({
      dir: '700',
      files: { 'master.key': '600', 'nexus.db': '600', 'nexus.db-shm': '600', 'nexus.db-wal': '600' },
    });
  } finally {
    process.umask(before);
  }
});
