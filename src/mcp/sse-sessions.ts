// The deprecated HTTP+SSE transport (2024-11-05) for older clients: GET /sse (or a plain event-stream
// GET on /mcp) opens a session whose first event names `/messages?sessionId=...`; the client POSTs
// JSON-RPC there (202) and answers come on the stream, from the same SDK server code /mcp uses.
// A session lives on the instance holding its stream: a POST landing on another instance is relayed
// through Redis when REDIS_URL is set (see src/db/session-relay.ts), else refused as an unknown
// session. Sessions, unread stream bytes and requests in flight are all bounded.
import { parseJSONRPCMessage, type Server } from '@modelcontextprotocol/server';
import { ANONYMOUS, type Caller } from '../caller.ts';
import type { SessionRelay } from '../db/session-relay.ts';
import { toNexusError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Registry } from '../registry/registry.ts';
import { NOOP_TRACER, nowMs, type RemoteContext, type Tracer } from '../trace/tracer.ts';
import { authRefusal, readJsonBody, rpcError } from './rpc-error.ts';
import type { RequestScope } from './server.ts';
import { mcpSpan, type SpanRequest } from './span.ts';
import { SseTransport } from './sse-transport.ts';

export const MESSAGES_PATH = '/messages';
const KEEPALIVE_MS = 15_000;
const MAX_QUEUED_BYTES = 32 * 1024 * 1024;
const MAX_INFLIGHT = 64;

export interface SseSessionsOptions {
  readonly maxSessions: number;
  readonly maxRequestBytes: number;
  readonly bodyTimeoutMs: number;
  readonly authenticate?: (req: Request) => Promise<Caller>;
  readonly log: Logger;
  readonly relay?: SessionRelay;
  /** Attaches a session to its resource subscriptions (its stream hears their updates); returns the detach. */
  readonly attach?: (caller: Caller, send: (uri: string) => void) => () => void;
  /** A server span per message, from its POST to its answer on the stream (with the registry: tool names). */
  readonly tracer?: Tracer;
  readonly registry?: Registry;
}

export interface SseSessions {
  /** The event stream of a new session for an authenticated caller, served by a fresh SDK server. */
  open(caller: Caller, server: Server, signal: AbortSignal): Promise<Response>;
  /** POST /messages?sessionId=...: a client message for its session. */
  post(req: Request): Promise<Response>;
  readonly size: number;
  /** Tells every session the tool, prompt or resource list changed. */
  notify(what: 'tools' | 'prompts' | 'resources'): void;
  /** Shutdown: no new sessions; each stream ends once its answers in flight are sent. */
  drain(): void;
  close(): Promise<void>;
}

interface Session {
  readonly owner: string;
  readonly transport: SseTransport;
  readonly server: Server;
}

/** A relayed message: the JSON-RPC message and who sent it, as authenticated by the receiving instance. */
interface Relayed {
  readonly message: unknown;
  readonly caller: Caller;
  readonly requestId: string;
  /** The receiving instance's span, parent of the holding instance's (when tracing). */
  readonly trace?: RemoteContext;
  readonly userAgent?: string;
}

const ACCEPTED = () => new Response('Accepted', { status: 202 });

const NO_SESSION =
  'missing sessionId: this is the HTTP+SSE (2024-11-05) message endpoint; open the event stream with GET /sse first and POST to the endpoint it names, or use Streamable HTTP on /mcp';
const unknownSession = (relayed: boolean) =>
  rpcError(
    404,
    -32001,
    relayed
      ? 'unknown session: it has ended or belongs to another caller; reconnect with GET /sse'
      : 'unknown session; HTTP+SSE sessions live on one instance (route a client to one instance, or set REDIS_URL on every instance to relay); reconnect with GET /sse',
  );

export function createSseSessions(opts: SseSessionsOptions): SseSessions {
  const sessions = new Map<string, Session>();
  let draining = false;
  const timer = setInterval(() => {
    for (const s of sessions.values()) s.transport.keepAlive();
  }, KEEPALIVE_MS);
  timer.unref?.();

  const scoped = (caller: Caller, id: string, requestId: string) => ({
    authInfo: {
      token: '',
      clientId: caller.id,
      scopes: [],
      extra: { scope: { caller: { ...caller, session: id }, requestId } satisfies RequestScope },
    },
  });

  const tracer = opts.tracer ?? NOOP_TRACER;
  const registry = opts.registry;
  /** `fn` in the message's server span (when tracing); the span ends when the promise `fn` returns settles. */
  interface Timing {
    readonly started: number;
    readonly authEnd?: number;
    readonly authError?: string;
  }
  const traced = (req: SpanRequest, body: unknown, caller: Caller | undefined, t: Timing, fn: () => Promise<Response>) =>
    tracer.enabled && registry ? mcpSpan(tracer, req, body, caller, { ...t, registry, route: MESSAGES_PATH }, fn) : fn();

  /** Hands a message to a session held here; an error text when it cannot be taken. */
  function deliver(
    s: Session,
    id: string,
    message: unknown,
    caller: Caller,
    requestId: string,
    answered?: () => void,
  ): 'ok' | 'invalid' | 'busy' {
    let parsed: ReturnType<typeof parseJSONRPCMessage>;
    try {
      parsed = parseJSONRPCMessage(message);
    } catch {
      return 'invalid';
    }
    return s.transport.deliver(parsed, scoped(caller, id, requestId), answered) ? 'ok' : 'busy';
  }

  /**
   * Delivers in the message's server span, which ends once the answer is on the stream; the POST is
   * answered (202) at once. The result is known synchronously: the span's function runs at once.
   */
  function deliverTraced(s: Session, id: string, r: Relayed, req: SpanRequest, t: Timing): 'ok' | 'invalid' | 'busy' {
    let done: 'ok' | 'invalid' | 'busy' = 'invalid';
    void traced(req, r.message, r.caller, t, () => {
      const { promise, resolve } = Promise.withResolvers<Response>();
      done = deliver(s, id, r.message, r.caller, r.requestId, () => resolve(ACCEPTED()));
      if (done !== 'ok') resolve(new Response(null, { status: done === 'busy' ? 429 : 400 }));
      return promise;
    });
    return done;
  }

  opts.relay?.onForward((id, owner, payload) => {
    const s = sessions.get(id);
    if (!s || s.owner !== owner) return;
    let r: Relayed;
    try {
      r = JSON.parse(payload) as Relayed;
    } catch {
      return;
    }
    const headers = new Headers();
    if (r.trace?.traceparent) headers.set('traceparent', r.trace.traceparent);
    if (r.trace?.tracestate) headers.set('tracestate', r.trace.tracestate);
    if (r.userAgent) headers.set('user-agent', r.userAgent);
    const done = deliverTraced(s, id, r, { method: 'POST', headers }, { started: tracer.enabled ? nowMs() : 0 });
    const rid = (r.message as { id?: unknown } | null)?.id;
    if (done !== 'ok' && (typeof rid === 'string' || typeof rid === 'number')) {
      const message = done === 'busy' ? `too many requests in flight on this session (${MAX_INFLIGHT})` : 'Invalid Request';
      void s.transport.send({ jsonrpc: '2.0', id: rid, error: { code: done === 'busy' ? -32000 : -32600, message } });
    }
  });

  return {
    async open(caller, server, signal) {
      if (draining) return rpcError(503, -32000, 'shutting down: reconnect');
      if (sessions.size >= opts.maxSessions) {
        return rpcError(503, -32000, `too many HTTP+SSE sessions (${opts.maxSessions}); retry later, or use Streamable HTTP on /mcp`);
      }
      const id = crypto.randomUUID();
      const transport = new SseTransport(id, `${MESSAGES_PATH}?sessionId=${id}`, {
        maxQueuedBytes: MAX_QUEUED_BYTES,
        maxInflight: MAX_INFLIGHT,
      });
      const detach = opts.attach?.({ ...caller, session: id }, (uri) => void server.sendResourceUpdated({ uri }).catch(() => {}));
      transport.onclose = () => {
        detach?.();
        if (sessions.get(id)?.transport !== transport) return;
        sessions.delete(id);
        opts.relay?.release(id);
        void server.close().catch(() => {});
      };
      transport.onerror = (e) => opts.log.debug('HTTP+SSE session error', { session: id, err: e });
      sessions.set(id, { owner: caller.id, transport, server });
      void opts.relay?.hold(id, caller.id);
      await server.connect(transport);
      signal.addEventListener('abort', () => void transport.close(), { once: true });
      return transport.response;
    },

    async post(req) {
      if (req.method !== 'POST') {
        return rpcError(405, -32000, 'Method not allowed: POST JSON-RPC messages here; GET /sse opens the event stream', { allow: 'POST' });
      }
      const started = tracer.enabled ? nowMs() : 0;
      const id = new URL(req.url).searchParams.get('sessionId');
      if (!id) return rpcError(400, -32600, NO_SESSION);
      // a browser sends text/plain or form bodies cross-site without a preflight: JSON only, as on /api
      if (!/^application\/json\s*(;|$)/i.test(req.headers.get('content-type') ?? '')) {
        return rpcError(415, -32600, 'request body must be application/json');
      }
      let caller: Caller;
      try {
        caller = opts.authenticate ? await opts.authenticate(req) : ANONYMOUS;
      } catch (e) {
        const authEnd = tracer.enabled ? nowMs() : 0;
        return traced(req, undefined, undefined, { started, authEnd, authError: toNexusError(e).code }, async () => authRefusal(e));
      }
      const t: Timing = { started, authEnd: tracer.enabled ? nowMs() : 0 };
      const local = sessions.get(id);
      if (local && local.owner !== caller.id) return unknownSession(true);
      if (!local && !opts.relay) return unknownSession(false);
      const read = await readJsonBody(req, { maxBytes: opts.maxRequestBytes, timeoutMs: opts.bodyTimeoutMs });
      if ('refused' in read) return read.refused;
      const requestId = req.headers.get('x-request-id')?.slice(0, 128) || crypto.randomUUID();
      if (local) {
        const done = deliverTraced(local, id, { message: read.body, caller, requestId }, req, t);
        if (done === 'invalid') return rpcError(400, -32600, 'Invalid Request: not a JSON-RPC 2.0 message');
        if (done === 'busy') return rpcError(429, -32000, `too many requests in flight on this session (${MAX_INFLIGHT})`);
        return ACCEPTED();
      }
      // relayed: this instance's span covers the hand-over, and its context parents the holder's span
      return traced(req, read.body, caller, t, async () => {
        const ids = tracer.active(); // this POST's server span, when sampled
        const userAgent = req.headers.get('user-agent')?.slice(0, 256);
        const relayed: Relayed = {
          message: read.body,
          caller,
          requestId,
          ...(ids && { trace: { traceparent: `00-${ids.traceId}-${ids.spanId}-01` } }),
          ...(userAgent && { userAgent }),
        };
        try {
          if (!(await opts.relay!.forward(id, caller.id, JSON.stringify(relayed)))) return unknownSession(true);
        } catch (e) {
          opts.log.warn('cannot relay an HTTP+SSE message', { err: toNexusError(e) });
          return rpcError(503, -32000, 'cannot reach the instance holding this session; reconnect with GET /sse');
        }
        return ACCEPTED();
      });
    },

    get size() {
      return sessions.size;
    },

    notify(what) {
      for (const { server } of sessions.values()) {
        const sent =
          what === 'tools'
            ? server.sendToolListChanged()
            : what === 'prompts'
              ? server.sendPromptListChanged()
              : server.sendResourceListChanged();
        void sent.catch(() => {}); // a server without that capability, or a session closing
      }
    },

    drain() {
      draining = true;
      for (const s of sessions.values()) s.transport.drain();
    },

    async close() {
      clearInterval(timer);
      const open = [...sessions.values()];
      await Promise.all(open.map((s) => s.transport.close()));
    },
  };
}
