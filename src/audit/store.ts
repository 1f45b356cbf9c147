// Audit rows in the Db (table audit_log, sql/003_audit.sql): batched multi-row inserts, filtered
// reads, and deletion by age.
import type { Db, SqlValue } from '../db/types.ts';
import { memoize } from '../util/memo.ts';
import { redact, redactText } from '../util/redact.ts';
import type { AuditReader, AuditRecord } from './record.ts';

const COLUMNS = [
  'time',
  'request_id',
  'caller',
  'tool',
  'outcome',
  'backend_status',
  'latency_ms',
  'cache',
  'rate_limit',
  'args_hash',
  'args',
  'error',
  'trace_id',
  'span_id',
];
/** Rows per INSERT statement (14 parameters each stays far below every driver's limit). */
export const ROWS_PER_INSERT = 200;
// bun:sqlite binds a long parameter list slowly: 50-row statements cost about a third less per row
// than 200-row ones (PostgreSQL keeps the longer statements: fewer messages on the wire)
const SQLITE_ROWS_PER_INSERT = 50;
const MAX_LIMIT = 10_000;

type DbRow = Record<string, SqlValue>;

const text = (v: string | undefined) => (v === undefined ? null : redactText(v));

// The sink's record goes to the spool and then to the store: its row is built (and redacted) once
const rows = new WeakMap<AuditRecord, readonly SqlValue[]>();

/** The row for one record (never to be mutated); every free-text field (and the arguments, when kept) is redacted first. */
export function toRow(r: AuditRecord): readonly SqlValue[] {
  let row = rows.get(r);
  if (!row) rows.set(r, (row = buildRow(r)));
  return row;
}

function buildRow(r: AuditRecord): SqlValue[] {
  return [
    r.time,
    text(r.requestId),
    redactText(r.caller),
    redactText(r.tool), // as the client sent it: a denied call may name no real tool
    r.outcome,
    r.backendStatus ?? null,
    r.latencyMs ?? null,
    r.cache ?? null,
    text(r.limit),
    r.argsHash ?? null,
    r.args === undefined ? null : JSON.stringify(redact(r.args)),
    text(r.error),
    r.traceId ?? null,
    r.spanId ?? null,
  ];
}

/** A record as exported (JSON lines, syslog, OTLP logs): redacted exactly as its stored row. */
export function redactRecord(r: AuditRecord): AuditRecord {
  const row = toRow(r);
  return fromRow(Object.fromEntries(COLUMNS.map((c, i) => [c, row[i]!])));
}

const str = (v: SqlValue | undefined) => (v === null || v === undefined ? undefined : String(v));
const num = (v: SqlValue | undefined) => (v === null || v === undefined ? undefined : Number(v));

// Absent columns become undefined properties, which JSON output and toEqual both leave out.
const fromRow = (row: DbRow): AuditRecord => ({
  time: Number(row.time),
  requestId: str(row.request_id),
  caller: String(row.caller),
  tool: String(row.tool),
  outcome: String(row.outcome) as AuditRecord['outcome'],
  backendStatus: num(row.backend_status),
  latencyMs: num(row.latency_ms),
  cache: str(row.cache) as AuditRecord['cache'],
  limit: str(row.rate_limit),
  argsHash: str(row.args_hash),
  args: row.args === null || row.args === undefined ? undefined : (JSON.parse(String(row.args)) as unknown),
  error: str(row.error),
  traceId: str(row.trace_id),
  spanId: str(row.span_id),
});

/** The record a row made by toRow stands for (the audit spool keeps rows). */
export const recordOfRow = (row: readonly SqlValue[]): AuditRecord =>
  fromRow(Object.fromEntries(COLUMNS.map((c, i) => [c, row[i] ?? null])));

export interface AuditRowWriter {
  /** Writes rows made by toRow (already redacted) in one transaction, up to ROWS_PER_INSERT per statement. */
  insertRows(rows: readonly (readonly SqlValue[])[]): Promise<void>;
}

export interface AuditStore extends AuditReader {
  /** Writes all records in one transaction, up to ROWS_PER_INSERT rows per statement. */
  insert(records: readonly AuditRecord[]): Promise<void>;
  /** Deletes records older than `before` (epoch ms); returns how many. */
  deleteBefore(before: number): Promise<number>;
}

export function createAuditRowWriter(db: Db): AuditRowWriter {
  const perInsert = db.kind === 'sqlite' ? SQLITE_ROWS_PER_INSERT : ROWS_PER_INSERT;
  // at most perInsert texts, each written once
  const insertSql = memoize(
    (n: number) =>
      `INSERT INTO audit_log (${COLUMNS.join(', ')}) VALUES ` +
      Array.from({ length: n }, (_, i) => `(${COLUMNS.map((_, j) => `$${i * COLUMNS.length + j + 1}`).join(', ')})`).join(', '),
    perInsert,
  );
  return {
    async insertRows(rows) {
      if (!rows.length) return;
      await db.transaction(async (tx) => {
        for (let i = 0; i < rows.length; i += perInsert) {
          const chunk = rows.slice(i, i + perInsert);
          await tx.run(insertSql(chunk.length), chunk.flat());
        }
      });
    },
  };
}

export function createAuditStore(db: Db): AuditStore {
  const writer = createAuditRowWriter(db);
  return {
    insert: (records) => writer.insertRows(records.map(toRow)),
    async query(q) {
      const where: string[] = [];
      const params: SqlValue[] = [];
      const add = (cond: string, v: SqlValue) => where.push(cond.replace('?', `$${params.push(v)}`));
      if (q.since !== undefined) add('time >= ?', q.since);
      if (q.caller !== undefined) add('caller = ?', q.caller);
      if (q.tool !== undefined) add('tool = ?', q.tool);
      const limit = Math.max(1, Math.min(MAX_LIMIT, Math.floor(q.limit ?? 100)));
      const sql = `SELECT ${COLUMNS.join(', ')} FROM audit_log${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY time DESC LIMIT ${limit}`;
      return (await db.query<DbRow>(sql, params)).map(fromRow);
    },
    deleteBefore: (before) => db.run('DELETE FROM audit_log WHERE time < $1', [before]),
  };
}
