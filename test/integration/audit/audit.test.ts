import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { randomBytes } from 'node:crypto';
import { type AuditRecord, hashArguments } from '../../../src/audit/record.ts';
import { startAuditRetention } from '../../../src/audit/retention.ts';
import { createAuditSink } from '../../../src/audit/sink.ts';
import { createAuditStore } from '../../../src/audit/store.ts';
import type { Db } from '../../../src/db/types.ts';
import { silentLogger } from '../../../src/log.ts';
import { registerSecret } from '../../../src/util/redact.ts';
import { STORE_KINDS, type TestStore, testStore } from '../db/stores.ts';

/** Counts INSERT statements that reach the database. */
function counting(db: Db): { db: Db; inserts: () => number } {
  let n = 0;
  const wrap = (d: Db): Db => ({
    kind: d.kind,
    query: (sql, p) => d.query(sql, p),
    run: (sql, p) => {
      if (/^\s*INSERT/i.test(sql)) n++;
      return d.run(sql, p);
    },
    transaction: (fn) => d.transaction((tx) => fn(wrap(tx))),
    withLock: (name, fn) => d.withLock(name, (tx) => fn(wrap(tx))),
    close: () => d.close(),
  });
  return { db: wrap(db), inserts: () => n };
}

const countRows = async (db: Db) => Number((await db.query<{ n: number }>('SELECT COUNT(*) AS n FROM audit_log'))[0]!.n);

describe.each(STORE_KINDS)('audit trail on %s', (kind) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await testStore(kind);
  });
  afterAll(() => store.close());

  test('1000 records are written in a few INSERT statements and every row arrives', async () => {
    await store.db.run('DELETE FROM audit_log');
    const { db, inserts } = counting(store.db);
    const sink = createAuditSink({ store: createAuditStore(db), log: silentLogger });
    const t0 = Date.now();
    for (let i = 0; i < 1000; i++)
      sink.record({ time: t0 + i, requestId: `r${i}`, caller: 'key:bulk', tool: `t${i % 3}`, outcome: 'ok', latencyMs: 1.25 });
    await sink.close();
    // SQLite binds long parameter lists slowly: its statements carry 50 rows, PostgreSQL's 200
    expect([await countRows(store.db), inserts() <= (kind === 'sqlite' ? 20 : 10)]).toEqual([1000, true]);
  });

  test('a record reads back with every field it was written with', async () => {
    await store.db.run('DELETE FROM audit_log');
    const full: AuditRecord = {
      time: Date.now(),
      requestId: 'req-1',
      caller: 'sub:user-1',
      tool: 'crm_get',
      outcome: 'limited',
      backendStatus: 200,
      latencyMs: 12.5,
      cache: 'coalesced',
      limit: 'caller 600/1m',
      argsHash: hashArguments({ id: 7 }),
      args: { id: 7, nested: { list: [1, 'two'] } },
      error: 'RATE_LIMITED',
    };
    const minimal: AuditRecord = { time: full.time - 1, caller: 'anonymous', tool: 'x', outcome: 'denied' };
    await createAuditStore(store.db).insert([full, minimal]);
    expect(await createAuditStore(store.db).query({})).toEqual([full, minimal]);
  });

  test('queries filter by time, caller and tool, newest first, up to the limit', async () => {
    await store.db.run('DELETE FROM audit_log');
    const audit = createAuditStore(store.db);
    const base = Date.now() - 10_000;
    const row = (i: number, caller: string, tool: string): AuditRecord => ({ time: base + i, caller, tool, outcome: 'ok' });
    await audit.insert([row(0, 'key:a', 'jira'), row(1, 'key:b', 'jira'), row(2, 'key:a', 'crm'), row(3, 'key:a', 'jira')]);
    const times = async (q: Parameters<typeof audit.query>[0]) => (await audit.query(q)).map((r) => r.time - base);
    expect({
      caller: await times({ caller: 'key:a' }),
      tool: await times({ tool: 'jira' }),
      both: await times({ caller: 'key:a', tool: 'jira' }),
      since: await times({ since: base + 2 }),
      limit: await times({ limit: 2 }),
    }).toEqual({ caller: [3, 2, 0], tool: [3, 1, 0], both: [3, 0], since: [3, 2], limit: [3, 2] });
  });

  test('no secret reaches a row: registered secrets and secret-named argument fields are redacted', async () => {
    await store.db.run('DELETE FROM audit_log');
    const secret = randomBytes(18).toString('base64url');
    registerSecret(secret);
    const sink = createAuditSink({ store: createAuditStore(store.db), log: silentLogger });
    sink.record({
      time: Date.now(),
      caller: 'key:a',
      tool: 't',
      outcome: 'error',
      args: { q: `find ${secret}`, password: 'hunter2-long' },
      error: `UPSTREAM_ERROR ${secret}`,
    });
    await sink.close();
    const dump = await store.dump();
    expect([dump.includes(secret), dump.includes('hunter2-long'), dump.includes('[REDACTED]')]).toEqual([false, false, true]);
  });

  test('retention deletes records older than the window, one instance at a time', async () => {
    await store.db.run('DELETE FROM audit_log');
    const now = Date.now();
    const day = 86_400_000;
    await createAuditStore(store.db).insert(
      [40, 31, 29, 1].map((d) => ({ time: now - d * day, caller: 'c', tool: 't', outcome: 'ok' as const })),
    );
    const other = await store.open();
    const a = startAuditRetention({ db: store.db, log: silentLogger, retentionMs: 30 * day, intervalMs: 3_600_000 });
    const b = startAuditRetention({ db: other, log: silentLogger, retentionMs: 30 * day, intervalMs: 3_600_000 });
    const deleted = (await Promise.all([a.purge(), b.purge()])).sort();
    a.stop();
    b.stop();
    const left = (await createAuditStore(store.db).query({})).map((r) => Math.round((now - r.time) / day));
    expect(left).toEqual([1, 29]);
    expect(deleted[0]).toBe(0); // the start-up purge or the first holder of the lock did the work
  });
});
