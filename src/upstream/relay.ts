// An upstream's own requests (sampling/createMessage, elicitation/create, roots/list) routed back to
// the client whose call caused them. Upstream sessions are shared between clients, so a request is
// attributed to a call, never to a session:
// - a request on the response stream of our POST (Streamable HTTP with relatedRequestId, and every
//   2026-07-28 input_required) runs inside the async context of the call that sent it
//   (AsyncLocalStorage), so it is exact even with many calls in flight on one session;
// - one on a channel of the whole session (the GET stream, stdio, HTTP+SSE) is attributed only when
//   exactly one call is in flight on the session; with several it is refused rather than guessed.
// Whatever cannot be relayed is a JSON-RPC error to the upstream at once, saying why.
import { AsyncLocalStorage } from 'node:async_hooks';
import { ProtocolError } from '@modelcontextprotocol/client';
import type { ClientChannel, ClientRequestMethod } from '../call/types.ts';

/** One call in flight on an upstream session, and the channel back to its client (if any). */
export interface RelayTarget {
  readonly channel?: ClientChannel;
  /** When the call's own timeout ends: no answer is waited for past it. */
  readonly deadline: number;
}

export const CLIENT_REQUESTS: readonly ClientRequestMethod[] = ['sampling/createMessage', 'elicitation/create', 'roots/list'];

/** What Nexus declares to every upstream: it may relay all three (and refuses per request when it cannot). */
export const RELAY_CAPABILITIES = { sampling: {}, elicitation: { form: {}, url: {} }, roots: {} };

const scope = new AsyncLocalStorage<RelayTarget>();

/** Runs `fn` (one upstream request) as `target`, counted among the session's calls while it runs. */
export async function asTarget<T>(calls: Set<RelayTarget>, target: RelayTarget, fn: () => Promise<T>): Promise<T> {
  calls.add(target);
  try {
    return await scope.run(target, fn);
  } finally {
    calls.delete(target);
  }
}

/** Runs `fn` outside every call (opening a session: its streams must not inherit a caller). */
export const outsideCalls = <T>(fn: () => T): T => scope.exit(fn);

// -32601 is what a client without the capability answers itself; the upstream reads it the same way
const refuse = (method: string, why: string) => new ProtocolError(-32601, `Nexus cannot relay ${method}: ${why}`);

/** The call a request belongs to, or the refusal saying why none can be named. */
export function attribute(method: ClientRequestMethod, calls: ReadonlySet<RelayTarget>): RelayTarget | ProtocolError {
  const here = scope.getStore();
  if (here && calls.has(here)) return here;
  // sent on a channel of the whole session (the GET stream, stdio): only one call can have caused it
  if (calls.size === 1) return [...calls][0]!;
  return calls.size === 0
    ? refuse(method, 'it was not sent during a call through Nexus (upstream sessions are shared between clients)')
    : refuse(method, `${calls.size} calls are in flight on this shared session and the request did not come on the stream of one of them`);
}

/** Whether the client declared what this request needs (elicitation: its mode). */
function declared(channel: ClientChannel, method: ClientRequestMethod, params: Record<string, unknown>): boolean {
  const caps = channel.capabilities;
  if (method === 'sampling/createMessage') return caps.sampling !== undefined;
  if (method === 'roots/list') return caps.roots !== undefined;
  const e = caps.elicitation as Record<string, unknown> | undefined;
  if (!e) return false;
  const mode = params.mode === 'url' ? 'url' : 'form';
  return mode === 'url' ? e.url !== undefined : e.form !== undefined || Object.keys(e).length === 0;
}

const capabilityOf = (method: ClientRequestMethod, params: Record<string, unknown>) =>
  method === 'sampling/createMessage'
    ? 'sampling'
    : method === 'roots/list'
      ? 'roots'
      : params.mode === 'url'
        ? 'elicitation (url mode)'
        : 'elicitation';

/** Asks the target's client and returns its answer; every reason it cannot is a ProtocolError. */
export async function relay(
  target: RelayTarget,
  method: ClientRequestMethod,
  params: Record<string, unknown>,
  signal: AbortSignal,
): Promise<Record<string, unknown>> {
  const ch = target.channel;
  if (!ch)
    return Promise.reject(refuse(method, 'the client that made this call has no channel for it (a request without a stream or session)'));
  if (!declared(ch, method, params))
    return Promise.reject(refuse(method, `the client that made this call did not declare the ${capabilityOf(method, params)} capability`));
  const left = target.deadline - Date.now();
  if (left <= 0) return Promise.reject(refuse(method, "the call's timeout has passed"));
  const bounded = AbortSignal.any([signal, AbortSignal.timeout(left)]);
  try {
    return await ch.ask(method, params, bounded);
  } catch (e) {
    if (e instanceof ProtocolError) throw e; // the client's own error, as it gave it
    if (bounded.aborted && !signal.aborted)
      throw new ProtocolError(-32001, `the client did not answer ${method} within the call's timeout`);
    throw new ProtocolError(-32603, `the client could not be asked (${ch.via}): ${(e as Error).message}`);
  }
}
