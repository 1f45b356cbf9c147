// The /mcp endpoint (behind the app-wide Host/Origin guard, src/http/web-guard.ts): size cap, JSON parse, authentication, then the
// SDK's dual-revision handler (2026-07-28 per-request, 2025-11-25 stateless). Any instance can serve
// any request: nothing is kept between requests except the change-notification streams.
import { createMcpHandler } from '@modelcontextprotocol/server';
import type { CallPipeline } from '../call/pipeline.ts';
import { ANONYMOUS, type Caller } from '../caller.ts';
import { isNexusError, toNexusError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Registry } from '../registry/registry.ts';
import { NOOP_TRACER, nowMs, type Tracer } from '../trace/tracer.ts';
import type { UpstreamExtras } from '../upstream/extras.ts';
import { fastToolCall } from './fast-call.ts';
import { createInflight, type InflightCall } from './inflight.ts';
import { listChangedStream } from './notifications.ts';
import { type ClientRelay, createClientRelay, mintSession, sessionCapabilities } from './relay.ts';
import { authRefusal, readJsonBody, rpcError } from './rpc-error.ts';
import { createMcpServer, SERVER_INFO, scopeFromMessage } from './server.ts';
import { mcpSpan } from './span.ts';
import type { SseSessions } from './sse-sessions.ts';
import { narrowListen, type ResourceSubscriptions } from './subscriptions.ts';

export interface McpEndpointOptions {
  readonly pipeline: CallPipeline;
  /** Prompts, resources and completion of federated servers. */
  readonly extras?: UpstreamExtras;
  readonly registry: Registry;
  readonly log: Logger;
  /** Resolves the caller from the request; throws UNAUTHORIZED/FORBIDDEN NexusErrors. */
  readonly authenticate?: (req: Request) => Promise<Caller>;
  /** Host/Origin guard when the endpoint is served without the app's web guard (createWebGuard). */
  readonly guard?: (req: Request) => Response | undefined;
  readonly maxRequestBytes: number;
  /** Time allowed to receive a request body (ms). */
  readonly bodyTimeoutMs: number;
  readonly version?: string;
  /** Answer plain tools/call requests directly (default); off, every request goes through the SDK. */
  readonly fastPath?: boolean;
  readonly tracer?: Tracer;
  /** The MCP server instructions sent to clients (a tool set's), read per request. */
  readonly instructions?: () => string | undefined;
  /** HTTP+SSE (2024-11-05) sessions: GET /sse, and event-stream GETs on /mcp from clients of that era. */
  readonly sse?: SseSessions;
  /** The instance's relay of upstreams' requests to clients (one for every endpoint; default: this endpoint's own). */
  readonly clientRelay?: ClientRelay;
  /** The instance's clients' subscriptions to upstream resources (absent: not offered). */
  readonly subscriptions?: ResourceSubscriptions;
}

export interface McpEndpoint {
  handle(req: Request): Promise<Response>;
  /** GET /sse: the HTTP+SSE event stream of a new session. */
  handleSse(req: Request): Promise<Response>;
  close(): Promise<void>;
}

const WRONG_TRANSPORT =
  'this is the HTTP+SSE (2024-11-05) endpoint: GET it for the event stream, then POST to the endpoint it names; Streamable HTTP clients use /mcp';

/**
 * An event-stream GET from an HTTP+SSE client (SDK SSEClientTransport, mcp-remote --transport sse-only)
 * pointed at /mcp: no protocol-version or session header and no JSON in Accept. A Streamable HTTP
 * client of the same era opening its notification stream looks the same; it ignores the `endpoint`
 * event and gets list-changed notifications from the session, so both are served.
 */
function isSseClientGet(h: Headers): boolean {
  return !h.has('mcp-protocol-version') && !h.has('mcp-session-id') && !(h.get('accept') ?? '').includes('application/json');
}

const isUpstreamTool = (registry: Registry, name: unknown) => typeof name === 'string' && registry.get(name)?.kind === 'mcp';

/** A 2025-11-25 tools/call whose upstream's requests may come back to its client: answered as SSE by the SDK. */
const streamsRequests = (registry: Registry, caller: Caller, name: unknown) =>
  sessionCapabilities(caller.session) !== undefined && isUpstreamTool(registry, name);

/** What the client hears when its answer went to another instance (or could not). */
function answerRouted(outcome: 'routed' | 'unknown' | 'unreachable'): Response {
  if (outcome === 'routed') return new Response(null, { status: 202 });
  return outcome === 'unknown'
    ? rpcError(404, -32602, 'no request waits for this answer: it ended (timeout or cancellation) or was made for another caller')
    : rpcError(503, -32000, 'cannot reach the instance whose request this answers');
}

export function createMcpEndpoint(opts: McpEndpointOptions): McpEndpoint {
  const relay = opts.clientRelay ?? createClientRelay();
  const fastRelay = { relay, upstream: (name: string) => isUpstreamTool(opts.registry, name) };
  const serverDeps = () => {
    const instructions = opts.instructions?.();
    return {
      pipeline: opts.pipeline,
      version: opts.version,
      ...(instructions && { instructions }),
      ...(opts.extras && { extras: opts.extras }),
      ...(opts.subscriptions && { subscriptions: opts.subscriptions }),
      relay,
    };
  };
  const handler = createMcpHandler(
    (ctx) => {
      const extra = ctx.authInfo?.extra as { caller?: Caller; requestId?: string; call?: InflightCall } | undefined;
      return createMcpServer(serverDeps(), {
        caller: extra?.caller ?? ANONYMOUS,
        requestId: extra?.requestId ?? '',
        ...(extra?.call && { call: extra.call }),
      });
    },
    {
      maxRequestBodySize: opts.maxRequestBytes,
      onerror: (e) => opts.log.debug('mcp request rejected', { err: e }),
    },
  );
  const unsubscribe = opts.registry.onChange(() => handler.notify.toolsChanged());
  const inflight = createInflight();
  const unsubscribeExtras = opts.extras?.onChange((what) =>
    what === 'prompts' ? handler.notify.promptsChanged() : handler.notify.resourcesChanged(),
  );
  // reaches the 2026-07-28 listen streams here that named the URI (narrowed per caller, subscriptions.ts)
  const unsubscribeUpdates = opts.subscriptions && opts.extras?.onUpdated((uri) => handler.notify.resourceUpdated(uri));
  const subs = opts.subscriptions;
  const tracer = opts.tracer ?? NOOP_TRACER;

  async function handle(req: Request): Promise<Response> {
    const refused = opts.guard?.(req);
    if (refused) return refused;
    // The server span opens once the body is read (its parent may be in params._meta); authentication,
    // which runs first, is timed and recorded into it.
    const started = tracer.enabled ? nowMs() : 0;
    const traced = (body: unknown, caller: Caller | undefined, authError: string | undefined, fn: () => Promise<Response>) =>
      tracer.enabled ? mcpSpan(tracer, req, body, caller, { started, authEnd, authError, registry: opts.registry }, fn) : fn();
    let caller: Caller = ANONYMOUS;
    let authEnd = 0;
    try {
      if (opts.authenticate) caller = await opts.authenticate(req);
      if (tracer.enabled) authEnd = nowMs();
    } catch (e) {
      if (tracer.enabled) authEnd = nowMs();
      return traced(undefined, undefined, toNexusError(e).code, async () => authRefusal(e));
    }
    const requestId = req.headers.get('x-request-id')?.slice(0, 128) || crypto.randomUUID();
    if (req.method === 'GET' && (req.headers.get('accept') ?? '').includes('text/event-stream')) {
      if (opts.sse && isSseClientGet(req.headers))
        return opts.sse.open(caller, createMcpServer(serverDeps(), scopeFromMessage), req.signal);
      return listChangedStream(opts.registry, req.signal, opts.extras?.onChange, subs && ((send) => subs.attach(caller, send)));
    }
    const authInfo = { token: '', clientId: caller.id, scopes: [], extra: { caller, requestId } };
    if (req.method !== 'POST') {
      if (req.method === 'DELETE' && caller.session) void subs?.end(caller); // the session ended: so do its subscriptions
      return traced(undefined, caller, undefined, () => handler.fetch(req, { authInfo }));
    }

    const read = await readJsonBody(req, { maxBytes: opts.maxRequestBytes, timeoutMs: opts.bodyTimeoutMs });
    if ('refused' in read) return read.refused;
    const body = read.body;
    const msg = body as {
      method?: unknown;
      id?: unknown;
      result?: unknown;
      error?: unknown;
      params?: { requestId?: unknown; name?: unknown; capabilities?: unknown; _meta?: Record<string, unknown> };
    } | null;
    // a 2025-11-25 client's answer to a request Nexus relayed from an upstream, waiting here or on another instance
    if (msg && msg.method === undefined && (msg.result !== undefined || msg.error !== undefined)) {
      if (relay.answer(caller, msg as never)) return new Response(null, { status: 202 });
      const routed = relay.route(caller, msg as never);
      if (routed) return answerRouted(await routed);
    }
    if (msg?.method === 'notifications/cancelled' && msg.params?.requestId !== undefined) inflight.cancel(caller, msg.params.requestId);
    const call = msg?.method === 'tools/call' && msg.id !== undefined ? inflight.begin(caller, msg.id, () => req.signal) : undefined;
    // a 2025-11-25 client that can answer sampling, elicitation or roots gets a session naming that
    const session =
      msg?.method === 'initialize' && !req.headers.has('mcp-session-id')
        ? mintSession(msg.params?.capabilities, !!subs && !!opts.extras?.subscribable())
        : undefined;
    // a 2026-07-28 listen keeps the resources the caller may subscribe to, held upstream while it is open
    const parsedBody = msg?.method === 'subscriptions/listen' && subs ? await narrowListen(subs, caller, body, req.signal) : body;
    const relayed = call !== undefined && streamsRequests(opts.registry, caller, msg?.params?.name);
    return traced(body, caller, undefined, async () => {
      if (opts.fastPath !== false && !relayed) {
        const fast = fastToolCall(
          req,
          body,
          caller,
          requestId,
          { pipeline: opts.pipeline, version: opts.version ?? SERVER_INFO.version, relay: fastRelay },
          call && (() => call.signal),
        );
        if (fast) return fast.finally(() => call?.end());
      }
      try {
        const res = await handler.fetch(req, {
          authInfo: call ? { ...authInfo, extra: { ...authInfo.extra, call } } : authInfo,
          parsedBody,
        });
        if (session && res.ok) res.headers.set('mcp-session-id', session);
        return res;
      } catch (e) {
        opts.log.error('mcp handler failed', { requestId, err: isNexusError(e) ? e : toNexusError(e).cause });
        return rpcError(500, -32603, 'Internal error');
      }
    });
  }

  async function handleSse(req: Request): Promise<Response> {
    const refused = opts.guard?.(req);
    if (refused) return refused;
    if (req.method !== 'GET' || !opts.sse) return rpcError(405, -32000, WRONG_TRANSPORT, { allow: 'GET' });
    let caller: Caller = ANONYMOUS;
    try {
      if (opts.authenticate) caller = await opts.authenticate(req);
    } catch (e) {
      return authRefusal(e);
    }
    return opts.sse.open(caller, createMcpServer(serverDeps(), scopeFromMessage), req.signal);
  }

  return {
    handle,
    handleSse,
    close: async () => {
      unsubscribe();
      unsubscribeExtras?.();
      unsubscribeUpdates?.();
      await handler.close();
    },
  };
}
