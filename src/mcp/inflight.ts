// Calls in flight on this instance, so that a 2025-11-25 client's notifications/cancelled (a POST of
// its own: Nexus keeps no sessions) or a dropped request stream aborts the call it names.
// A call's AbortController, and its listener on the request's signal, are made when something first
// reads `signal`: a cache hit never does, so it pays for neither (about 4 µs of a call's CPU).
import type { Caller } from '../caller.ts';

const MAX = 10_000;

export interface InflightCall {
  /** Aborted by `cancel` or when the request is dropped; made on first read. */
  readonly signal: AbortSignal;
  end(): void;
}

export interface Inflight {
  /** Registers a call by its caller and JSON-RPC id; aborted by `cancel` or when `dropped()` aborts. */
  begin(caller: Caller, id: unknown, dropped?: () => AbortSignal): InflightCall;
  cancel(caller: Caller, id: unknown): boolean;
}

const keyOf = (caller: Caller, id: unknown) => `${caller.id}\n${caller.session ?? ''}\n${JSON.stringify(id)}`;

class Call implements InflightCall {
  #ac: AbortController | undefined;
  /** Cancelled before anything read the signal: it is made aborted. */
  #cancelled: DOMException | undefined;
  #watched: AbortSignal | undefined;
  readonly #onDrop = () => this.#ac!.abort(this.#watched!.reason);

  constructor(
    private readonly key: string,
    private readonly calls: Map<string, Call>,
    private readonly dropped?: () => AbortSignal,
  ) {}

  get signal(): AbortSignal {
    if (this.#ac) return this.#ac.signal;
    const ac = (this.#ac = new AbortController());
    const dropped = this.dropped?.();
    if (this.#cancelled) ac.abort(this.#cancelled);
    else if (dropped?.aborted) ac.abort(dropped.reason);
    else if (dropped) {
      this.#watched = dropped;
      dropped.addEventListener('abort', this.#onDrop, { once: true });
    }
    return ac.signal;
  }

  cancel(reason: DOMException) {
    if (this.#ac) this.#ac.abort(reason);
    else this.#cancelled ??= reason;
  }

  end() {
    this.#watched?.removeEventListener('abort', this.#onDrop);
    if (this.calls.get(this.key) === this) this.calls.delete(this.key);
  }
}

export function createInflight(): Inflight {
  const calls = new Map<string, Call>();
  return {
    begin(caller, id, dropped) {
      const key = keyOf(caller, id);
      if (calls.size >= MAX) calls.delete(calls.keys().next().value as string); // bounded: the oldest is forgotten
      const call = new Call(key, calls, dropped);
      calls.set(key, call);
      return call;
    },
    cancel(caller, id) {
      const call = calls.get(keyOf(caller, id));
      call?.cancel(new DOMException('cancelled by the client', 'AbortError'));
      return !!call;
    },
  };
}
