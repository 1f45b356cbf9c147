// One audit row per tool call. The shape is the call pipeline's AuditEntry; arguments appear only
// as a hash unless the tool opts in (`audit_arguments`), and then redacted.
import type { AuditEntry } from '../call/types.ts';
import { NexusError } from '../errors.ts';
import { argsDigest } from '../util/digest.ts';
import { parseDuration } from '../util/duration.ts';

export type AuditRecord = AuditEntry;
export type AuditOutcome = AuditRecord['outcome'];

/** SHA-256 (hex) of the canonical JSON of the arguments: equal arguments, equal hash. */
export const hashArguments = argsDigest;

export interface AuditQuery {
  /** Only records at or after this epoch-ms time. */
  readonly since?: number;
  readonly caller?: string;
  readonly tool?: string;
  /** Newest first, at most this many (default 100, max 10 000). */
  readonly limit?: number;
}

export interface AuditReader {
  query(q: AuditQuery): Promise<AuditRecord[]>;
}

/** `--since` / `?since=`: a duration back from now (`1h`), an ISO date, or epoch milliseconds. */
export function parseSince(text: string, now = Date.now()): number {
  const ms = parseDuration(text);
  if (ms !== undefined) return now - ms;
  if (/^\d{10,}$/.test(text)) return Number(text);
  const t = Date.parse(text);
  if (Number.isNaN(t)) throw new NexusError('INVALID_INPUT', `since: expected a duration like 1h or an ISO date, got "${text}"`);
  return t;
}

/** The query from text filters (CLI flags, URL parameters); empty values are ignored. */
export function parseAuditQuery(
  text: { since?: string | null; caller?: string | null; tool?: string | null; limit?: string | null },
  now = Date.now(),
): AuditQuery {
  if (text.limit && !/^[1-9]\d{0,3}$|^10000$/.test(text.limit))
    throw new NexusError('INVALID_INPUT', 'limit: expected a whole number 1..10000');
  return {
    ...(text.since && { since: parseSince(text.since, now) }),
    ...(text.caller && { caller: text.caller }),
    ...(text.tool && { tool: text.tool }),
    ...(text.limit && { limit: Number(text.limit) }),
  };
}
