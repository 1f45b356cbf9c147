import { describe, expect, test } from 'bun:test';
import { type AuditRecord, hashArguments, parseAuditQuery } from '../../../src/audit/record.ts';
import { createAuditSink } from '../../../src/audit/sink.ts';
import { createLogger } from '../../../src/log.ts';

const rec = (i: number): AuditRecord => ({ time: 1000 + i, caller: 'key:a', tool: 't', outcome: 'ok', latencyMs: 1 });

async function until(cond: () => boolean, ms = 2000) {
  const start = performance.now();
  while (!cond()) {
    if (performance.now() - start > ms) throw new Error('condition not met');
    await Bun.sleep(5);
  }
}

function fakeStore(fail = () => false) {
  const batches: AuditRecord[][] = [];
  return {
    batches,
    insert: async (records: readonly AuditRecord[]) => {
      if (fail()) throw new Error('db down');
      batches.push([...records]);
    },
  };
}

describe('audit sink', () => {
  test('a backlog is written batch by batch, and other work runs between the batches', async () => {
    const order: string[] = [];
    const store = { insert: async (records: readonly AuditRecord[]) => void order.push(`batch of ${records.length}`) };
    const sink = createAuditSink({ store, log: createLogger({ write: () => {} }), flushIntervalMs: 60_000, batchSize: 100 });
    for (let i = 0; i < 300; i++) sink.record(rec(i));
    const flushed = sink.flush();
    setImmediate(() => order.push('a request'));
    await flushed;
    await sink.close();
    expect(order.filter((o) => o.startsWith('batch'))).toEqual(['batch of 100', 'batch of 100', 'batch of 100']);
    const at = order.indexOf('a request');
    expect(at > 0 && at < order.length - 1).toBe(true);
  });

  test('record() returns at once; a full batch is written without waiting for the timer', async () => {
    const store = fakeStore();
    const sink = createAuditSink({ store, log: createLogger({ write: () => {} }), flushIntervalMs: 60_000 });
    for (let i = 0; i < 1000; i++) sink.record(rec(i));
    expect(store.batches.length).toBe(0);
    await until(() => store.batches.flat().length === 1000);
    expect(store.batches.map((b) => b.length)).toEqual([500, 500]); // one transaction each, the loop free in between
    await sink.close();
  });

  test('the spool is fsynced by the timer, not once per full batch', async () => {
    const store = fakeStore();
    let seq = 0;
    const events: string[] = [];
    const spool = {
      append: () => ({ seq: ++seq, line: '' }),
      shipped: () => {},
      sync: () => void events.push('sync'),
      close: () => {},
    };
    const sink = createAuditSink({ store, log: createLogger({ write: () => {} }), flushIntervalMs: 60_000, spool });
    for (let i = 0; i < 1000; i++) sink.record(rec(i));
    await until(() => store.batches.flat().length === 1000); // ten full batches, each kicked at once
    await sink.flush();
    expect(events).toEqual([]);
    await sink.close();
  });

  test('a few records are written by the timer', async () => {
    const store = fakeStore();
    const sink = createAuditSink({ store, log: createLogger({ write: () => {} }), flushIntervalMs: 20 });
    sink.record(rec(1));
    await until(() => store.batches.length === 1);
    expect(store.batches).toEqual([[rec(1)]]);
    await sink.close();
  });

  test('a full queue drops new records, counts and logs them', async () => {
    const lines: string[] = [];
    const store = fakeStore();
    const sink = createAuditSink({
      store,
      log: createLogger({ write: (l) => lines.push(l) }),
      flushIntervalMs: 60_000,
      maxQueue: 10,
      batchSize: 1000,
    });
    for (let i = 0; i < 15; i++) sink.record(rec(i));
    await sink.flush();
    expect([sink.dropped, store.batches.flat().length, lines.some((l) => l.includes('"dropped":5'))]).toEqual([5, 10, true]);
    await sink.close();
  });

  test('records survive a failing database and are written once it is back', async () => {
    let down = true;
    const lines: string[] = [];
    const store = fakeStore(() => down);
    const sink = createAuditSink({ store, log: createLogger({ write: (l) => lines.push(l) }), flushIntervalMs: 60_000 });
    for (let i = 0; i < 3; i++) sink.record(rec(i));
    await sink.flush();
    await sink.flush();
    expect([sink.pending, store.batches.length, lines.filter((l) => l.includes('audit write failed')).length]).toEqual([3, 0, 1]);
    down = false;
    await sink.close();
    expect([store.batches.flat().length, sink.dropped]).toEqual([3, 0]);
  });

  test('records after close are dropped, not queued forever', async () => {
    const sink = createAuditSink({ store: fakeStore(), log: createLogger({ write: () => {} }) });
    await sink.close();
    sink.record(rec(1));
    expect([sink.pending, sink.dropped]).toEqual([0, 1]);
  });
});

describe('audit helpers', () => {
  test('equal arguments hash equally whatever the key order', () => {
    expect(hashArguments({ a: 1, b: [1, { c: 2, d: 3 }] })).toBe(hashArguments({ b: [1, { d: 3, c: 2 }], a: 1 }));
    expect(hashArguments({ a: 1 })).toMatch(/^[0-9a-f]{64}$/);
  });

  test('query filters parse from text; empty ones are ignored', () => {
    expect(parseAuditQuery({ since: '1h', caller: 'key:a', tool: '', limit: '50' }, 10_000_000)).toEqual({
      since: 10_000_000 - 3_600_000,
      caller: 'key:a',
      limit: 50,
    });
    expect(parseAuditQuery({ since: '2030-01-01T00:00:00Z' }).since).toBe(Date.UTC(2030, 0, 1));
    for (const bad of [{ since: 'yesterday' }, { limit: '0' }, { limit: '10001' }]) {
      expect(() => parseAuditQuery(bad)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    }
  });
});
