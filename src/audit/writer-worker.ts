// Worker thread of the embedded audit trail: inserts rows into the SQLite file through a connection of
// its own, so the inserts (about 5 µs a row) never hold the gateway's event loop. Rows arrive already
// redacted (toRow runs in the main thread, where the vault registers its secrets).
import { openSqlite } from '../db/sqlite.ts';
import type { Db, SqlValue } from '../db/types.ts';
import { type AuditRowWriter, createAuditRowWriter } from './store.ts';

export type WriterRequest =
  | { readonly id: number; readonly kind: 'open'; readonly file: string }
  | { readonly id: number; readonly kind: 'insert'; readonly rows: readonly (readonly SqlValue[])[] }
  /** A JSON array of spool lines, each `[seq, ...row]` (spool.ts). */
  | { readonly id: number; readonly kind: 'insertSpooled'; readonly lines: string }
  | { readonly id: number; readonly kind: 'close' };
export type WriterReply = { readonly id: number; readonly ok: true } | { readonly id: number; readonly ok: false; readonly error: string };

declare const self: Worker;
let db: Db | undefined;
let writer: AuditRowWriter | undefined;

self.onmessage = async (e: MessageEvent<WriterRequest>) => {
  const m = e.data;
  try {
    if (m.kind === 'open') {
      db = openSqlite(m.file, { synchronous: 'NORMAL' });
      writer = createAuditRowWriter(db);
    } else if (m.kind === 'insert') {
      if (!writer) throw new Error('audit writer not opened');
      await writer.insertRows(m.rows);
    } else if (m.kind === 'insertSpooled') {
      if (!writer) throw new Error('audit writer not opened');
      await writer.insertRows((JSON.parse(m.lines) as SqlValue[][]).map((l) => l.slice(1)));
    } else {
      await db?.close();
      db = writer = undefined;
    }
    self.postMessage({ id: m.id, ok: true } satisfies WriterReply);
  } catch (err) {
    self.postMessage({ id: m.id, ok: false, error: err instanceof Error ? err.message : String(err) } satisfies WriterReply);
  }
};
