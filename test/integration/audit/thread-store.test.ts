// The embedded audit trail's worker thread: rows built and redacted on the main thread, inserted by
// the worker on its own connection; if the worker cannot write, the main thread takes over, logged.
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditRecord } from '../../../src/audit/record.ts';
import { createAuditStore } from '../../../src/audit/store.ts';
import { createThreadAuditStore } from '../../../src/audit/thread-store.ts';
import { migrate } from '../../../src/db/migrate.ts';
import { openDb, sqliteFile } from '../../../src/db/open.ts';
import type { Db } from '../../../src/db/types.ts';
import { createLogger, silentLogger } from '../../../src/log.ts';
import { registerSecret } from '../../../src/util/redact.ts';

let dir: string;
let db: Db;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nexus-audit-thread-'));
  db = await openDb({ dataDir: dir, log: silentLogger });
  await migrate(db, silentLogger);
});
afterAll(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

const rec = (i: number, extra: Partial<AuditRecord> = {}): AuditRecord => ({
  time: 1_000 + i,
  caller: 'key:a',
  tool: 't',
  outcome: 'ok',
  latencyMs: 1,
  ...extra,
});

test('rows written by the worker thread are there for readers on the main connection, secrets masked', async () => {
  const secret = `s3cret-${crypto.randomUUID()}`;
  registerSecret(secret); // known to the main thread only: the rows must be redacted before they cross
  const fallback = { inserted: 0, insert: async () => void fallback.inserted++ };
  const lines: string[] = [];
  const store = createThreadAuditStore(sqliteFile(dir), fallback, createLogger({ write: (l) => lines.push(l) }));
  await store.insert(Array.from({ length: 300 }, (_, i) => rec(i, { requestId: `req-${i}`, args: { note: `token ${secret}` } })));
  await store.close();
  const rows = await createAuditStore(db).query({ limit: 1000 });
  expect(rows.length).toBe(300);
  expect(JSON.stringify(rows)).not.toContain(secret);
  expect(rows.find((r) => r.requestId === 'req-7')?.args).toEqual({ note: 'token [REDACTED]' });
  expect([fallback.inserted, lines.filter((l) => l.includes('audit writer'))]).toEqual([0, []]);
});

test('when the worker cannot open the file, records go through the main-thread store and it says so once', async () => {
  const fallback = { records: [] as AuditRecord[], insert: async (r: readonly AuditRecord[]) => void fallback.records.push(...r) };
  const lines: string[] = [];
  const store = createThreadAuditStore(join(dir, 'no-such-dir', 'nexus.db'), fallback, createLogger({ write: (l) => lines.push(l) }));
  await store.insert([rec(1)]);
  await store.insert([rec(2)]);
  await store.close();
  expect(fallback.records.map((r) => r.time)).toEqual([1001, 1002]);
  expect(lines.filter((l) => l.includes('audit writer thread unavailable')).length).toBe(1);
});

test("the spool's lines are written as the records they stand for, by the thread or, without one, the main store", async () => {
  const { toRow } = await import('../../../src/audit/store.ts');
  const records = Array.from({ length: 120 }, (_, i) => rec(5_000 + i, { requestId: `spooled-${i}`, cache: 'miss', backendStatus: 200 }));
  const lines = records.map((r, i) => JSON.stringify([i + 1, ...toRow(r)]));
  const store = createThreadAuditStore(sqliteFile(dir), { insert: async () => {} }, silentLogger);
  await store.insertSpooled(lines);
  await store.close();
  const rows = (await createAuditStore(db).query({ since: 5_000, limit: 1000 })).filter((r) => r.requestId?.startsWith('spooled-'));
  expect(rows.sort((a, b) => a.time - b.time)).toEqual(records.map((r) => ({ ...r, time: r.time })).map((r) => expect.objectContaining(r)));

  const fallback = { records: [] as AuditRecord[], insert: async (r: readonly AuditRecord[]) => void fallback.records.push(...r) };
  const threadless = createThreadAuditStore(join(dir, 'no-such-dir', 'nexus.db'), fallback, silentLogger);
  await threadless.insertSpooled(lines.slice(0, 3));
  await threadless.close();
  expect(fallback.records).toEqual(records.slice(0, 3).map((r) => expect.objectContaining(r)));
});
