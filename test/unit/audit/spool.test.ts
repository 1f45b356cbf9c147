// The audit spool: what a dead process left is replayed once, without the rows the store already
// has (a batch committed just before the crash), and a live process's spool is left alone.
import { afterAll, describe, expect, test } from 'bun:test';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditRecord } from '../../../src/audit/record.ts';
import { openAuditSpool, replayAuditSpools } from '../../../src/audit/spool.ts';
import { toRow } from '../../../src/audit/store.ts';
import { silentLogger } from '../../../src/log.ts';

const root = mkdtempSync(join(tmpdir(), 'nexus-spool-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const rec = (i: number): AuditRecord => ({
  time: 1_700_000_000_000 + i,
  caller: 'key:alice',
  tool: `t${i}`,
  outcome: 'ok',
  latencyMs: i + 0.25,
});
function memoryStore(have: AuditRecord[] = []) {
  const rows = [...have];
  return {
    rows,
    insert: async (rs: readonly AuditRecord[]) => void rows.push(...rs),
    query: async (q: { since?: number }) => rows.filter((r) => r.time >= (q.since ?? 0)),
  };
}
const line = (seq: number, r: AuditRecord) => `${JSON.stringify([seq, ...toRow(r)])}\n`;
const DEAD_PID = 4_194_301; // above the default pid_max: no such process

describe('audit spool replay', () => {
  test('records after the last shipped mark are replayed, minus those the store has, and the file is removed', async () => {
    const dir = mkdtempSync(join(root, 'd-'));
    const lines = (ids: number[]) => ids.map((i) => line(i, rec(i))).join('');
    const text = `${lines([1, 2, 3])}{"shipped":3}\n${lines([4, 5, 6, 7])}[8,1700`; // the last line cut by the kill
    writeFileSync(join(dir, `spool-1-${DEAD_PID}-abc123-0.jsonl`), text);
    const store = memoryStore([rec(1), rec(2), rec(3), rec(4), rec(5)]); // 4 and 5: committed, the crash came before the mark
    expect(await replayAuditSpools(dir, store, silentLogger)).toBe(2);
    expect(store.rows.map((r) => r.tool)).toEqual(['t1', 't2', 't3', 't4', 't5', 't6', 't7']);
    expect(readdirSync(dir)).toEqual([]);
  });

  test("a running process's spool is not touched", async () => {
    const dir = mkdtempSync(join(root, 'd-'));
    const spool = openAuditSpool(dir, silentLogger)!;
    spool.append(rec(1));
    // another live process's file: the parent of this test runner
    writeFileSync(join(dir, `spool-1-${process.ppid}-abc-0.jsonl`), line(1, rec(2)));
    const store = memoryStore();
    expect(await replayAuditSpools(dir, store, silentLogger)).toBe(0);
    expect(readdirSync(dir).length).toBe(2);
    spool.close();
  });

  test('a spool keeps a line per record, starts over once all is shipped, and is removed on close', () => {
    const dir = mkdtempSync(join(root, 'd-'));
    const spool = openAuditSpool(dir, silentLogger)!;
    const [file] = readdirSync(dir);
    const path = join(dir, file!);
    const text = () => {
      const b = Buffer.alloc(1 << 16);
      const fd = openSync(path, 'r');
      readSync(fd, b);
      closeSync(fd);
      return b.toString('utf8').split('\0')[0];
    };
    const seqs = [spool.append(rec(1)).seq, spool.append(rec(2)).seq];
    expect(seqs).toEqual([1, 2]);
    expect(text()!.split('\n')).toEqual([JSON.stringify([1, ...toRow(rec(1))]), JSON.stringify([2, ...toRow(rec(2))]), '']);
    spool.shipped(1);
    expect(text()).toEndWith('{"shipped":1}\n');
    spool.shipped(2);
    expect(text()).toBe(''); // all shipped: starts over
    const third = spool.append(rec(3));
    expect(third).toEqual({ seq: 3, line: JSON.stringify([3, ...toRow(rec(3))]) });
    expect(text()).toBe(`${third.line}\n`);
    spool.close();
    expect(existsSync(path)).toBe(false);
  });
});
