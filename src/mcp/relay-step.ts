// One step of a relayed 2026-07-28 call (its outcome, or requests the client must answer first), the
// error a relay answers with, and the JSON form a step takes between instances (src/mcp/relay.ts).
import { type ErrorCode, NexusError } from '../errors.ts';

type Json = Record<string, unknown>;

export class RelayError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** One step of a 2026-07-28 flow: the call's outcome, or requests the client must answer first. */
export type Step<T> = { kind: 'done'; value: T } | { kind: 'failed'; error: unknown } | { kind: 'input'; requests: Json; state: string };

/** A retry handed to another instance: its wait is bounded; its outcome comes back as JSON. */
export interface Remote<T> {
  readonly timeoutMs: number;
  /** The outcome as the holder sent it (an object's `tool` and `error` stay on the holder). */
  revive(value: unknown): T;
}

/** A step as JSON for the instance that received the retry (what stays behind is named in Remote). */
export function stepToWire(s: Step<unknown>): string {
  if (s.kind === 'input') return JSON.stringify(s);
  if (s.kind === 'done') {
    const v = s.value;
    const drop = function (this: unknown, k: string, x: unknown) {
      return this === v && (k === 'tool' || k === 'error') ? undefined : x;
    };
    return JSON.stringify({ kind: 'done', value: v }, drop);
  }
  const e = s.error;
  if (e instanceof RelayError) return JSON.stringify({ kind: 'failed', relay: e.code, message: e.message });
  const n = e instanceof NexusError ? e : new NexusError('INTERNAL', 'internal error');
  return JSON.stringify({ kind: 'failed', code: n.code, message: n.message, details: n.details });
}

export function stepFromWire<T>(text: string, revive: (v: unknown) => T): Step<T> {
  const w = JSON.parse(text) as Json;
  if (w.kind === 'input' && typeof w.state === 'string') return { kind: 'input', requests: w.requests as Json, state: w.state };
  if (w.kind === 'done') return { kind: 'done', value: revive(w.value) };
  const message = String(w.message ?? 'error');
  if (typeof w.relay === 'number') throw new RelayError(w.relay, message); // as a resume here throws it
  const details = w.details as Json | undefined;
  return { kind: 'failed', error: new NexusError(w.code as ErrorCode, message, details ? { details } : {}) };
}
