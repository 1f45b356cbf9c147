// Calls in flight on this instance, so that a 2025-11-25 client's notifications/cancelled (a POST of
// its own: Nexus keeps no sessions) or a dropped request stream aborts the call it names.
import type { Caller } from '../caller.ts';

const MAX = 10_000;

export interface InflightCall {
  readonly signal: AbortSignal;
  end(): void;
}

export interface Inflight {
  /** Registers a call by its caller and JSON-RPC id; aborted by `cancel` or when `dropped` aborts. */
  begin(caller: Caller, id: unknown, dropped?: AbortSignal): InflightCall;
  cancel(caller: Caller, id: unknown): boolean;
}

const keyOf = (caller: Caller, id: unknown) => `${caller.id}\n${caller.session ?? ''}\n${JSON.stringify(id)}`;

export function createInflight(): Inflight {
  const calls = new Map<string, AbortController>();
  return {
    begin(caller, id, dropped) {
      const key = keyOf(caller, id);
      const ac = new AbortController();
      if (calls.size >= MAX) calls.delete(calls.keys().next().value as string); // bounded: the oldest is forgotten
      calls.set(key, ac);
      const onDrop = () => ac.abort(dropped?.reason);
      dropped?.addEventListener('abort', onDrop, { once: true });
      return {
        signal: ac.signal,
        end: () => {
          dropped?.removeEventListener('abort', onDrop);
          if (calls.get(key) === ac) calls.delete(key);
        },
      };
    },
    cancel(caller, id) {
      const ac = calls.get(keyOf(caller, id));
      ac?.abort(new DOMException('cancelled by the client', 'AbortError'));
      return !!ac;
    },
  };
}
