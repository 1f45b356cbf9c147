// RFC 5424 syslog messages for audit records: facility 13 (log audit), severity by outcome, the
// record's key fields as structured data and the whole record as JSON in MSG.
import { hostname } from 'node:os';
import type { AuditRecord } from './record.ts';

// 32473 is the private enterprise number reserved for documentation (RFC 5612)
const SD_ID = 'nexus@32473';
const FACILITY_AUDIT = 13;
// tool set changes are notices (5): a security team wants to see them
const SEVERITY: Record<AuditRecord['outcome'], number> = {
  ok: 6,
  denied: 4,
  limited: 4,
  invalid: 4,
  error: 3,
  timeout: 3,
  tool_added: 5,
  tool_changed: 5,
  tool_removed: 5,
};

/** HOSTNAME field: printable US-ASCII without spaces, at most 255 characters, else the nil value. */
const host = (() => {
  const h = hostname().replace(/[^\x21-\x7e]/g, '');
  return h ? h.slice(0, 255) : '-';
})();

// PARAM-VALUE escapes '"', '\' and ']' (RFC 5424 6.3.3)
const sdValue = (v: string) => v.slice(0, 256).replace(/["\\\]]/g, (c) => `\\${c}`);

/** The record as one JSON object (JSON lines, syslog MSG, OTLP log body): ISO time first. */
export const auditJson = (r: AuditRecord) => JSON.stringify({ ...r, time: new Date(r.time).toISOString() });

export function syslogMessage(r: AuditRecord, pid = process.pid): string {
  const params: Array<[string, string | number | undefined]> = [
    ['tool', r.tool],
    ['caller', r.caller],
    ['outcome', r.outcome],
    ['status', r.backendStatus],
    ['request', r.requestId],
    ['trace', r.traceId],
    ['span', r.spanId],
  ];
  const sd = params
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}="${sdValue(String(v))}"`)
    .join(' ');
  const pri = FACILITY_AUDIT * 8 + SEVERITY[r.outcome];
  return `<${pri}>1 ${new Date(r.time).toISOString()} ${host} nexus ${pid} audit [${SD_ID} ${sd}] \uFEFF${auditJson(r)}`;
}

/** RFC 6587 octet counting, the framing of syslog over TCP and TLS (RFC 5425). */
export const octetFrame = (msg: string) => `${Buffer.byteLength(msg)} ${msg}`;
