// Clients' subscriptions to upstream resources, and the way each revision hears notifications/resources/updated:
// - 2025-11-25 (and HTTP+SSE sessions): resources/subscribe and resources/unsubscribe. A subscriber is a
//   caller and its session id; its updates go on its notification stream (the GET stream, or the HTTP+SSE
//   session's). The instance holding that stream holds the subscriptions upstream: a subscribe landing
//   on another instance is handed there through the session relay (Redis); with no stream open yet it is
//   kept here, for a stream that opens here, for as long as a dropped stream's subscriptions are kept.
// - 2026-07-28: resources/subscribe is gone; a subscriptions/listen stream names its URIs
//   (`resourceSubscriptions`). They are narrowed to what the caller may read and held upstream while the
//   stream is open, on the instance serving it (where the SDK's listen router delivers the updates).
// Upstream subscriptions are shared and counted (src/upstream/subscription.ts): the last subscriber to
// go ends one upstream.
import { ProtocolError } from '@modelcontextprotocol/server';
import type { Caller } from '../caller.ts';
import type { SessionRelay } from '../db/session-relay.ts';
import type { Logger } from '../log.ts';
import type { UpstreamExtras } from '../upstream/extras.ts';

/** How long the subscriptions of a subscriber with no stream open are kept (a reconnecting stream finds them). */
const KEPT_MS = 60_000;
const MAX_SUBSCRIBERS = 10_000;
const MAX_URIS = 256;
/** Session relay ids of subscribers' streams (beside HTTP+SSE sessions and relayed requests). */
const STREAM = 'sub:';

type Send = (uri: string) => void;
type Release = Promise<(() => void) | undefined>;

interface Subscriber {
  readonly uris: Map<string, Release>;
  readonly streams: Set<Send>;
  expiry?: ReturnType<typeof setTimeout>;
}

/** What one instance hands the instance holding a subscriber's stream. */
interface Handed {
  readonly op: 'subscribe' | 'unsubscribe' | 'end';
  readonly uri?: string;
  readonly caller: Caller;
}

export interface ResourceSubscriptions {
  /** resources/subscribe; throws a ProtocolError when the caller may not subscribe to `uri`. */
  subscribe(caller: Caller, uri: string): Promise<void>;
  /** resources/unsubscribe (of a URI not subscribed: nothing happens). */
  unsubscribe(caller: Caller, uri: string): Promise<void>;
  /** The caller's session ended (DELETE /mcp): every subscription of it goes. */
  end(caller: Caller): Promise<void>;
  /** A notification stream of the caller's session, open until the returned detach is called. */
  attach(caller: Caller, send: Send): () => void;
  /** 2026-07-28 listen: the URIs of `uris` the caller may subscribe to, held upstream until `signal` aborts. */
  listen(caller: Caller, uris: readonly string[], signal: AbortSignal): Promise<string[]>;
  /** Notification streams attached here. */
  readonly streams: number;
  close(): void;
}

const keyOf = (caller: Caller) => `${caller.id}\n${caller.session ?? ''}`;
const releaseAll = (uris: Iterable<Release>) => {
  for (const r of uris) void r.then((release) => release?.());
};

export function createResourceSubscriptions(opts: { extras: UpstreamExtras; relay?: SessionRelay; log: Logger }): ResourceSubscriptions {
  const { extras, relay, log } = opts;
  const subscribers = new Map<string, Subscriber>();
  let streams = 0;

  /** Ends every subscription of `key`; the entry goes too unless a stream is still attached to it. */
  const drop = (key: string) => {
    const s = subscribers.get(key);
    if (!s) return;
    releaseAll(s.uris.values());
    s.uris.clear();
    if (s.streams.size) return;
    subscribers.delete(key);
    clearTimeout(s.expiry);
  };
  const keep = (key: string, s: Subscriber) => {
    clearTimeout(s.expiry);
    s.expiry = setTimeout(() => drop(key), KEPT_MS);
    s.expiry.unref?.();
  };
  const subscriber = (key: string): Subscriber => {
    let s = subscribers.get(key);
    if (s) return s;
    if (subscribers.size >= MAX_SUBSCRIBERS) throw new ProtocolError(-32000, `too many resource subscribers (${MAX_SUBSCRIBERS})`);
    s = { uris: new Map(), streams: new Set() };
    subscribers.set(key, s);
    keep(key, s);
    return s;
  };
  // subscribing again to a URI takes a new hold before the old one goes: the same upstream subscription
  // stays, one ended by a server's restart (reload) is opened again on its new session
  const add = async (s: Subscriber, caller: Caller, uri: string) => {
    const previous = s.uris.get(uri);
    if (!previous && s.uris.size >= MAX_URIS)
      throw new ProtocolError(-32000, `too many resource subscriptions on one session (${MAX_URIS})`);
    const opened = extras.subscribe(uri, caller);
    const kept: Release = opened.catch(() => undefined);
    s.uris.set(uri, kept);
    try {
      await opened;
    } catch (e) {
      if (s.uris.get(uri) !== kept) throw e;
      if (previous) s.uris.set(uri, previous);
      else s.uris.delete(uri);
      throw e;
    }
    if (previous) releaseAll([previous]);
  };
  const remove = (s: Subscriber, uri: string) => {
    const r = s.uris.get(uri);
    if (!r) return;
    s.uris.delete(uri);
    releaseAll([r]);
  };
  /** Hands an operation to the instance holding the caller's stream: false when none other does. */
  const hand = async (caller: Caller, op: Handed['op'], uri?: string) => {
    if (!relay || !caller.session) return false;
    const payload = JSON.stringify({ op, ...(uri !== undefined && { uri }), caller } satisfies Handed);
    try {
      return await relay.forward(`${STREAM}${caller.session}`, caller.id, payload);
    } catch (e) {
      log.warn('cannot hand a resource subscription to the instance holding its stream', { err: e });
      return false;
    }
  };

  relay?.onForward((id, owner, payload) => {
    if (!id.startsWith(STREAM)) return;
    const key = `${owner}\n${id.slice(STREAM.length)}`;
    const s = subscribers.get(key);
    if (!s) return;
    let h: Handed;
    try {
      h = JSON.parse(payload) as Handed;
    } catch {
      return;
    }
    if (h.caller?.id !== owner) return;
    if (h.op === 'end') return drop(key);
    if (typeof h.uri !== 'string') return;
    if (h.op === 'unsubscribe') return remove(s, h.uri);
    add(s, h.caller, h.uri).catch((e) => log.warn('resource subscription handed from another instance failed', { uri: h.uri, err: e }));
  });

  const offUpdated = extras.onUpdated((uri) => {
    for (const s of subscribers.values()) {
      if (!s.uris.has(uri)) continue;
      for (const send of s.streams) send(uri);
    }
  });

  return {
    async subscribe(caller, uri) {
      const key = keyOf(caller);
      const here = subscribers.get(key);
      if (!here?.streams.size) {
        extras.checkSubscribe(uri, caller); // refused here as it would be there
        if (await hand(caller, 'subscribe', uri)) return;
      }
      await add(here ?? subscriber(key), caller, uri);
    },
    async unsubscribe(caller, uri) {
      const here = subscribers.get(keyOf(caller));
      if (here?.uris.has(uri)) return remove(here, uri);
      await hand(caller, 'unsubscribe', uri);
    },
    async end(caller) {
      drop(keyOf(caller));
      await hand(caller, 'end');
    },
    attach(caller, send) {
      const key = keyOf(caller);
      const s = subscriber(key);
      clearTimeout(s.expiry);
      s.streams.add(send);
      streams++;
      const id = caller.session && `${STREAM}${caller.session}`;
      if (id && s.streams.size === 1) void relay?.hold(id, caller.id);
      let attached = true;
      return () => {
        if (!attached) return;
        attached = false;
        streams--;
        s.streams.delete(send);
        if (s.streams.size || subscribers.get(key) !== s) return;
        if (id) relay?.release(id);
        keep(key, s);
      };
    },
    async listen(caller, uris, signal) {
      const held = new Map<string, Release>();
      await Promise.all(
        [...new Set(uris)].slice(0, MAX_URIS).map(async (uri) => {
          const opened = extras.subscribe(uri, caller);
          held.set(uri, opened);
          await opened.catch(() => held.delete(uri)); // not readable by this caller, or not subscribable: left out of the ack
        }),
      );
      if (signal.aborted) releaseAll(held.values());
      else signal.addEventListener('abort', () => releaseAll(held.values()), { once: true });
      return uris.filter((u) => held.has(u));
    },
    get streams() {
      return streams;
    },
    close() {
      offUpdated();
      for (const key of [...subscribers.keys()]) drop(key);
    },
  };
}

/** A subscriptions/listen body with its `resourceSubscriptions` narrowed to what the caller may subscribe to. */
export async function narrowListen(subs: ResourceSubscriptions, caller: Caller, body: unknown, signal: AbortSignal): Promise<unknown> {
  const params = (body as { params?: { notifications?: { resourceSubscriptions?: unknown } } }).params;
  const wanted = params?.notifications?.resourceSubscriptions;
  if (!Array.isArray(wanted) || !wanted.length || !wanted.every((u) => typeof u === 'string')) return body;
  const kept = await subs.listen(caller, wanted, signal);
  return { ...(body as object), params: { ...params, notifications: { ...params!.notifications, resourceSubscriptions: kept } } };
}
