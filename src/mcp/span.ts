// The server span of one /mcp request, named and described per the OpenTelemetry MCP and HTTP
// semantic conventions: `tools/call get_weather`, parent from params._meta (2026-07-28 clients) or
// the traceparent header. Client text becomes a span name only when it names a declared tool.
import type { Caller } from '../caller.ts';
import type { Registry } from '../registry/registry.ts';
import { headerContext, metaContext, type Tracer } from '../trace/tracer.ts';

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const METHOD = /^[a-z][a-zA-Z/_]{0,63}$/;
const PV = 'io.modelcontextprotocol/protocolVersion';

export interface McpSpanTiming {
  readonly started: number;
  /** When authentication ended (it began at `started`); none for a message authenticated elsewhere. */
  readonly authEnd?: number;
  readonly authError?: string;
  readonly registry: Registry;
  /** The endpoint's route: /mcp (default), or /messages for an HTTP+SSE (2024-11-05) message. */
  readonly route?: string;
}

/** What a span reads of the request: a relayed HTTP+SSE message has only what the relay carried. */
export type SpanRequest = Pick<Request, 'method' | 'headers'>;

export function mcpSpan(
  tracer: Tracer,
  req: SpanRequest,
  body: unknown,
  caller: Caller | undefined,
  timing: McpSpanTiming,
  fn: () => Promise<Response>,
): Promise<Response> {
  const msg = isObject(body) ? body : undefined;
  const params = msg && isObject(msg.params) ? msg.params : undefined;
  const meta = params && isObject(params._meta) ? params._meta : undefined;
  const method = typeof msg?.method === 'string' && METHOD.test(msg.method) ? msg.method : undefined;
  const tool = method === 'tools/call' && typeof params?.name === 'string' && timing.registry.get(params.name) ? params.name : undefined;
  const id = msg?.id;
  const version = req.headers.get('mcp-protocol-version') ?? (typeof meta?.[PV] === 'string' ? meta[PV] : undefined);
  const route = timing.route ?? '/mcp';
  const name = method ? (tool ? `${method} ${tool}` : method) : `${req.method} ${route}`;
  return tracer.span(
    name,
    {
      kind: 'server',
      startTime: timing.started,
      remote: metaContext(meta) ?? headerContext(req.headers),
      attributes: {
        'http.request.method': req.method,
        'http.route': route,
        'url.path': route,
        'network.protocol.name': 'http',
        'user_agent.original': req.headers.get('user-agent')?.slice(0, 256),
        'mcp.method.name': method,
        'mcp.protocol.version': version?.slice(0, 32),
        'mcp.session.id': caller?.session,
        'jsonrpc.request.id': typeof id === 'string' || typeof id === 'number' ? String(id).slice(0, 64) : undefined,
        'gen_ai.tool.name': tool,
        'gen_ai.operation.name': tool ? 'execute_tool' : undefined,
        'nexus.caller': caller?.id,
      },
    },
    async (span) => {
      if (timing.authEnd !== undefined) {
        tracer.record('nexus.authenticate', timing.started, timing.authEnd, {
          attributes: { 'nexus.caller': caller?.id },
          ...(timing.authError && { errorType: timing.authError }),
        });
      }
      const res = await fn();
      span.set('http.response.status_code', res.status);
      if (res.status >= 500) span.fail(String(res.status));
      else if (timing.authError) span.fail(timing.authError);
      return res;
    },
  );
}
