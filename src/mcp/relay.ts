// The client side of relaying an upstream's sampling, elicitation and roots requests (the upstream
// side is src/upstream/relay.ts). Nexus keeps no client sessions, so each revision gets the channel
// it allows:
// - 2025-11-25: a client that declares one of these capabilities at initialize gets an Mcp-Session-Id
//   that carries them (`nx1.<flags>.<random>`: any instance can read it back). Its tools/call is then
//   answered as an SSE stream, the request is written onto that stream with an id of Nexus's own, and
//   the client's answer (a POST of its own) is matched back by that id. An answer landing on another
//   instance is handed to this one through the session relay (Redis, src/db/session-relay.ts): the
//   request id is held there while the request waits; without Redis the answer must reach this instance.
// - 2026-07-28: multi round-trip requests. The call is parked here, the client gets an input_required
//   result whose requestState names the parked call, and its retry (with inputResponses) resumes it.
//   A parked call's state is held in the session relay too: a retry landing on another instance is
//   handed to this one, which resumes the call and hands the next step back to that instance (held
//   for the wait under an id of its own). A retry no instance holds, or arriving after the call's
//   timeout, gets a clear error; without Redis the retry must reach this instance.

import type { ClientChannel, ClientRequestMethod } from '../call/types.ts';
import type { Caller } from '../caller.ts';
import type { SessionRelay } from '../db/session-relay.ts';
import { RelayError, type Remote, type Step, stepFromWire, stepToWire } from './relay-step.ts';

type Json = Record<string, unknown>;

const FLAGS = { s: 'sampling', e: 'elicitation', u: 'elicitation-url', r: 'roots' } as const;
const SESSION = /^nx1\.([seur]{1,4})\.[A-Za-z0-9_-]{16,64}$/; // `nx1.n.` sessions carry no capability
const MAX_PENDING = 10_000;
const OUTCOME_KEPT_MS = 60_000;

/** Ids of the requests Nexus writes to 2025-11-25 streams (and holds in the session relay). */
const ASKED = 'nexus-';
/** Relay ids of parked 2026-07-28 calls, and of the retries waiting for another instance's step. */
const PARKED = 'mrtr:';
const REPLY = 'mrtr-reply:';
const NOT_HERE = 'requestState names no call waiting: it ended (timeout) or was made for another caller or tool';

const random = () => Buffer.from(crypto.getRandomValues(new Uint8Array(18))).toString('base64url');

/** The sampling, elicitation and roots parts of a client's capabilities (what can be relayed to it). */
export function relayable(caps: unknown): Json | undefined {
  if (!caps || typeof caps !== 'object') return undefined;
  const c = caps as Json;
  const out: Json = {};
  for (const k of ['sampling', 'elicitation', 'roots']) if (c[k] && typeof c[k] === 'object') out[k] = c[k];
  return Object.keys(out).length ? out : undefined;
}

/**
 * A session id for a 2025-11-25 client that can answer requests, or that may subscribe to resources
 * (`subscribable`: its subscriptions follow the session to any instance; flags `n`, nothing to relay);
 * undefined when it needs none.
 */
export function mintSession(caps: unknown, subscribable = false): string | undefined {
  const r = relayable(caps);
  const e = r?.elicitation as Json | undefined;
  const flags = r
    ? (r.sampling ? 's' : '') + (e && (e.form || !Object.keys(e).length) ? 'e' : '') + (e?.url ? 'u' : '') + (r.roots ? 'r' : '')
    : '';
  return flags || subscribable ? `nx1.${flags || 'n'}.${random()}` : undefined;
}

/** The capabilities a session id minted by Nexus carries (undefined for any other session id). */
export function sessionCapabilities(session: string | undefined): Json | undefined {
  const m = session ? SESSION.exec(session) : null;
  if (!m) return undefined;
  const f = new Set(m[1]!.split('')) as Set<keyof typeof FLAGS>;
  const elicitation = { ...(f.has('e') && { form: {} }), ...(f.has('u') && { url: {} }) };
  return {
    ...(f.has('s') && { sampling: {} }),
    ...((f.has('e') || f.has('u')) && { elicitation }),
    ...(f.has('r') && { roots: {} }),
  };
}

interface Pending {
  readonly caller: string;
  resolve(v: Json): void;
  reject(e: Error): void;
}

interface Ask {
  readonly method: ClientRequestMethod;
  readonly params: Json;
  resolve(v: Json): void;
  reject(e: Error): void;
}

class Flow<T> {
  readonly abort = new AbortController();
  readonly unsent = new Map<string, Ask>();
  readonly sent = new Map<string, Ask>();
  private n = 0;
  private wake?: () => void;
  private outcome?: Step<T>;

  constructor(
    readonly id: string,
    readonly caller: string,
    readonly tool: string,
    readonly channel: ClientChannel,
  ) {}

  /** Whether a request is waiting on next() (else the outcome waits for the client's retry). */
  get waited(): boolean {
    return this.wake !== undefined;
  }

  finish(step: Step<T>) {
    this.outcome = step;
    for (const a of [...this.unsent.values(), ...this.sent.values()]) a.reject(new Error('the call ended'));
    this.wake?.();
  }

  ask(method: ClientRequestMethod, params: Json, signal: AbortSignal): Promise<Json> {
    return new Promise((resolve, reject) => {
      const key = `r${++this.n}`;
      const drop = () => {
        this.unsent.delete(key);
        this.sent.delete(key);
        reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      if (signal.aborted) return drop();
      signal.addEventListener('abort', drop, { once: true });
      const done =
        <V>(f: (v: V) => void) =>
        (v: V) => {
          signal.removeEventListener('abort', drop);
          f(v);
        };
      this.unsent.set(key, { method, params, resolve: done(resolve), reject: done(reject) });
      queueMicrotask(() => this.wake?.()); // requests made in the same turn go out in one round
    });
  }

  /** Waits for the outcome or for requests to send; `signal` is the current HTTP request's. */
  next(signal: AbortSignal): Promise<Step<T>> {
    return new Promise((resolve) => {
      const check = () => {
        if (this.outcome) return resolve(this.outcome);
        if (!this.unsent.size) return;
        const requests: Json = {};
        for (const [k, a] of this.unsent) {
          requests[k] = { method: a.method, params: a.params };
          this.sent.set(k, a);
        }
        this.unsent.clear();
        this.wake = undefined;
        signal.removeEventListener('abort', onAbort);
        resolve({ kind: 'input', requests, state: this.id });
      };
      const onAbort = () => this.abort.abort(signal.reason); // the client gave up on this round: the call ends
      signal.addEventListener('abort', onAbort, { once: true });
      this.wake = check;
      check();
    });
  }

  /** Delivers a retry's answers; a request it does not answer fails (the upstream hears why). */
  answer(responses: Json | undefined) {
    for (const [k, a] of this.sent) {
      const r = responses?.[k];
      if (r && typeof r === 'object') a.resolve(r as Json);
      else a.reject(new RelayError(-32602, `the client's retry carried no answer for input request ${k}`));
    }
    this.sent.clear();
  }
}

export interface ClientRelay {
  /** The 2025-11-25 channel over a call's SSE stream; `write` puts one message on it. */
  streamChannel(caller: Caller, capabilities: Json, write: (message: Json) => Promise<void>): ClientChannel;
  /** A 2025-11-25 client's answer (a JSON-RPC response POSTed to /mcp): true when it was one of ours, waiting here. */
  answer(caller: Caller, message: Json): boolean;
  /**
   * Hands an answer that no request here waits for to the instance whose request it answers:
   * 'routed', 'unknown' (no instance waits for it: ended, timed out, another caller's) or
   * 'unreachable'; undefined without a session relay, or for an id Nexus did not make.
   */
  route(caller: Caller, message: Json): Promise<'routed' | 'unknown' | 'unreachable'> | undefined;
  /** Starts a 2026-07-28 call that may need the client's input. */
  start<T>(
    caller: Caller,
    tool: string,
    capabilities: Json,
    run: (channel: ClientChannel, signal: AbortSignal) => Promise<T>,
    signal: AbortSignal,
  ): Promise<Step<T>>;
  /**
   * Resumes a parked call with the client's retry, here or on the instance holding it (`remote`: how
   * long to wait for that instance, and how to rebuild its outcome); throws RelayError for an unknown or foreign state.
   */
  resume<T>(
    caller: Caller,
    tool: string,
    state: string,
    responses: Json | undefined,
    signal: AbortSignal,
    remote?: Remote<T>,
  ): Promise<Step<T>>;
}

export function createClientRelay(shared?: SessionRelay): ClientRelay {
  const pending = new Map<string, Pending>();
  const flows = new Map<string, Flow<unknown>>();
  const settle = (p: Pending, message: Json) => {
    const error = message.error as { code?: unknown; message?: unknown } | undefined;
    if (error) p.reject(new RelayError(typeof error.code === 'number' ? error.code : -32603, String(error.message ?? 'error')));
    else p.resolve((message.result ?? {}) as Json);
  };
  // answers other instances received for requests waiting here; `owner` is the caller they authenticated
  const replies = new Map<string, { readonly caller: string; settle(payload: string): void }>();
  shared?.onForward((id, owner, payload) => {
    if (id.startsWith(PARKED)) return void resumeForwarded(id.slice(PARKED.length), owner, payload);
    if (id.startsWith(REPLY)) {
      const r = replies.get(id);
      if (r && r.caller === owner) r.settle(payload);
      return;
    }
    const p = id.startsWith(ASKED) ? pending.get(id) : undefined;
    if (!p || p.caller !== owner) return;
    let message: unknown;
    try {
      message = JSON.parse(payload);
    } catch {
      return;
    }
    if (message && typeof message === 'object' && (message as Json).id === id) settle(p, message as Json);
  });
  return {
    streamChannel(caller, capabilities, write) {
      return {
        via: '2025-11-25 stream',
        capabilities,
        ask: (method, params, signal) =>
          new Promise<Json>((resolve, reject) => {
            if (pending.size >= MAX_PENDING) return reject(new Error('too many requests waiting for clients'));
            const id = `${ASKED}${random()}`;
            const end = () => {
              pending.delete(id);
              shared?.release(id);
              signal.removeEventListener('abort', onAbort);
            };
            const onAbort = () => {
              end();
              reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
            };
            signal.addEventListener('abort', onAbort, { once: true });
            pending.set(id, {
              caller: caller.id,
              resolve: (v) => {
                end();
                resolve(v);
              },
              reject: (e) => {
                end();
                reject(e);
              },
            });
            // held before it is sent: the answer may come to any instance, which must find this one
            const held = shared ? shared.hold(id, caller.id) : Promise.resolve();
            held
              .then(() => (pending.has(id) ? write({ jsonrpc: '2.0', id, method, params }) : undefined))
              .catch((e) => pending.get(id)?.reject(e as Error));
          }),
      };
    },
    answer(caller, message) {
      const id = message.id;
      const p = typeof id === 'string' ? pending.get(id) : undefined;
      if (!p || p.caller !== caller.id) return false;
      settle(p, message);
      return true;
    },
    route(caller, message) {
      const id = message.id;
      if (!shared || typeof id !== 'string' || !id.startsWith(ASKED)) return undefined;
      return shared.forward(id, caller.id, JSON.stringify(message)).then(
        (sent) => (sent ? 'routed' : 'unknown'),
        () => 'unreachable' as const,
      );
    },
    start(caller, tool, capabilities, run, signal) {
      if (flows.size >= MAX_PENDING) drop(flows.values().next().value as Flow<unknown>);
      const channel: ClientChannel = {
        via: '2026-07-28 input_required',
        capabilities,
        ask: (method, params, s): Promise<Json> => flow.ask(method, params, s),
      };
      const flow: Flow<unknown> = new Flow<unknown>(random(), caller.id, tool, channel);
      flows.set(flow.id, flow);
      const settle = (s: Step<unknown>) => {
        const waited = flow.waited;
        flow.finish(s);
        // ended between rounds: the outcome is kept a while for the client's retry
        if (!waited) setTimeout(() => flows.get(flow.id) === flow && drop(flow), OUTCOME_KEPT_MS).unref?.();
      };
      run(flow.channel, flow.abort.signal).then(
        (value) => settle({ kind: 'done', value }),
        (error) => settle({ kind: 'failed', error }),
      );
      return step(flow, signal) as Promise<Step<never>>;
    },
    resume<T>(caller: Caller, tool: string, state: string, responses: Json | undefined, signal: AbortSignal, remote?: Remote<T>) {
      if (!flows.has(state) && shared && remote) return elsewhere(caller.id, tool, state, responses, signal, remote);
      return resumeHere(caller.id, tool, state, responses, signal) as Promise<Step<T>>;
    },
  };

  function resumeHere(caller: string, tool: string, state: string, responses: Json | undefined, signal: AbortSignal) {
    const flow = flows.get(state);
    if (!flow || flow.caller !== caller || flow.tool !== tool) return Promise.reject(new RelayError(-32602, NOT_HERE));
    flow.answer(responses);
    return step(flow, signal);
  }

  async function step<T>(flow: Flow<T>, signal: AbortSignal): Promise<Step<T>> {
    const s = await flow.next(signal);
    if (s.kind !== 'input') drop(flow);
    // parked: a retry landing on another instance must find this one
    else if (shared) await shared.hold(`${PARKED}${flow.id}`, flow.caller);
    return s;
  }

  function drop(flow: Flow<unknown>) {
    if (flows.get(flow.id) === flow) flows.delete(flow.id);
    shared?.release(`${PARKED}${flow.id}`);
  }

  // A retry another instance received for a call parked here: resumed, and its next step sent back
  async function resumeForwarded(state: string, owner: string, payload: string) {
    let retry: { reply?: unknown; tool?: unknown; responses?: unknown };
    try {
      retry = JSON.parse(payload);
    } catch {
      return;
    }
    const { reply, tool, responses } = retry;
    if (typeof reply !== 'string' || !reply.startsWith(REPLY) || typeof tool !== 'string') return;
    const answers = responses && typeof responses === 'object' ? (responses as Json) : undefined;
    const s = await resumeHere(owner, tool, state, answers, new AbortController().signal).catch(
      (error: unknown): Step<unknown> => ({ kind: 'failed', error }),
    );
    await shared!.forward(reply, owner, stepToWire(s)).catch(() => false);
  }

  // A retry for a call parked on another instance: handed there, its next step awaited (bounded)
  async function elsewhere<T>(
    caller: string,
    tool: string,
    state: string,
    responses: Json | undefined,
    signal: AbortSignal,
    remote: Remote<T>,
  ): Promise<Step<T>> {
    const relay = shared!;
    const reply = `${REPLY}${random()}`;
    let settle!: (payload: string) => void;
    const answered = new Promise<string>((resolve) => {
      settle = resolve;
    });
    replies.set(reply, { caller, settle });
    let timer: ReturnType<typeof setTimeout> | undefined;
    let onAbort: (() => void) | undefined;
    try {
      await relay.hold(reply, caller);
      const sent = await relay.forward(`${PARKED}${state}`, caller, JSON.stringify({ reply, tool, responses })).catch(() => {
        throw new RelayError(-32000, 'cannot reach the instance holding the call this requestState names');
      });
      if (!sent) throw new RelayError(-32602, NOT_HERE);
      const ended = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new RelayError(-32001, 'the instance holding the call did not answer within its timeout')),
          remote.timeoutMs,
        );
        onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
        if (signal.aborted) onAbort();
        else signal.addEventListener('abort', onAbort, { once: true });
      });
      return stepFromWire(await Promise.race([answered, ended]), remote.revive);
    } finally {
      clearTimeout(timer);
      if (onAbort) signal.removeEventListener('abort', onAbort);
      replies.delete(reply);
      relay.release(reply);
    }
  }
}
