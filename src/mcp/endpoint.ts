// The /mcp endpoint (behind the app-wide Host/Origin guard, src/http/web-guard.ts): size cap, JSON parse, authentication, then the
// SDK's dual-revision handler (2026-07-28 per-request, 2025-11-25 stateless). Any instance can serve
// any request: nothing is kept between requests except the change-notification streams.
import { createMcpHandler } from '@modelcontextprotocol/server';
import type { CallPipeline } from '../call/pipeline.ts';
import { ANONYMOUS, type Caller } from '../caller.ts';
import { isNexusError, toNexusError } from '../errors.ts';
import { CLOSE, readBodyText } from '../http/body.ts';
import type { Logger } from '../log.ts';
import type { Registry } from '../registry/registry.ts';
import { NOOP_TRACER, nowMs, type Tracer } from '../trace/tracer.ts';
import type { UpstreamExtras } from '../upstream/extras.ts';
import { fastToolCall } from './fast-call.ts';
import { createInflight, type InflightCall } from './inflight.ts';
import { listChangedStream } from './notifications.ts';
import { createMcpServer, SERVER_INFO } from './server.ts';
import { mcpSpan } from './span.ts';

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
}

export interface McpEndpoint {
  handle(req: Request): Promise<Response>;
  close(): Promise<void>;
}

const rpcError = (status: number, code: number, message: string, headers: Record<string, string> = {}) =>
  Response.json({ jsonrpc: '2.0', error: { code, message }, id: null }, { status, headers });

export function createMcpEndpoint(opts: McpEndpointOptions): McpEndpoint {
  const handler = createMcpHandler(
    (ctx) => {
      const extra = ctx.authInfo?.extra as { caller?: Caller; requestId?: string; call?: InflightCall } | undefined;
      const instructions = opts.instructions?.();
      return createMcpServer(
        {
          pipeline: opts.pipeline,
          version: opts.version,
          ...(instructions && { instructions }),
          ...(opts.extras && { extras: opts.extras }),
        },
        extra?.caller ?? ANONYMOUS,
        extra?.requestId ?? '',
        extra?.call,
      );
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
      const err = toNexusError(e);
      if (tracer.enabled) authEnd = nowMs();
      const www = err.details?.wwwAuthenticate;
      return traced(undefined, undefined, err.code, async () =>
        rpcError(err.httpStatus, err.jsonRpcCode, err.message, typeof www === 'string' ? { 'www-authenticate': www } : {}),
      );
    }
    const requestId = req.headers.get('x-request-id')?.slice(0, 128) || crypto.randomUUID();
    if (req.method === 'GET' && (req.headers.get('accept') ?? '').includes('text/event-stream')) {
      return listChangedStream(opts.registry, req.signal, opts.extras?.onChange);
    }
    const authInfo = { token: '', clientId: caller.id, scopes: [], extra: { caller, requestId } };
    if (req.method !== 'POST') return traced(undefined, caller, undefined, () => handler.fetch(req, { authInfo }));

    let text: string;
    try {
      text = await readBodyText(req, { maxBytes: opts.maxRequestBytes, timeoutMs: opts.bodyTimeoutMs });
    } catch (e) {
      const err = toNexusError(e);
      const code = err.code === 'INVALID_INPUT' ? -32700 : -32600;
      const message = err.code === 'INVALID_INPUT' ? `Parse error: ${err.message}` : err.message;
      return rpcError(err.httpStatus, code, message, err.code === 'INVALID_INPUT' ? {} : CLOSE);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (e) {
      const deep = e instanceof RangeError;
      return rpcError(400, -32700, deep ? 'Parse error: JSON nested too deeply' : 'Parse error: Invalid JSON');
    }
    if (Array.isArray(body)) return rpcError(400, -32600, 'Invalid Request: JSON-RPC batches are not supported');
    const msg = body as { method?: unknown; id?: unknown; params?: { requestId?: unknown } } | null;
    if (msg?.method === 'notifications/cancelled' && msg.params?.requestId !== undefined) inflight.cancel(caller, msg.params.requestId);
    const call = msg?.method === 'tools/call' && msg.id !== undefined ? inflight.begin(caller, msg.id, req.signal) : undefined;
    return traced(body, caller, undefined, async () => {
      if (opts.fastPath !== false) {
        const fast = fastToolCall(
          req,
          body,
          caller,
          requestId,
          { pipeline: opts.pipeline, version: opts.version ?? SERVER_INFO.version },
          call?.signal,
        );
        if (fast) return fast.finally(() => call?.end());
      }
      try {
        return await handler.fetch(req, {
          authInfo: call ? { ...authInfo, extra: { ...authInfo.extra, call } } : authInfo,
          parsedBody: body,
        });
      } catch (e) {
        opts.log.error('mcp handler failed', { requestId, err: isNexusError(e) ? e : toNexusError(e).cause });
        return rpcError(500, -32603, 'Internal error');
      }
    });
  }

  return {
    handle,
    close: async () => {
      unsubscribe();
      unsubscribeExtras?.();
      await handler.close();
    },
  };
}
