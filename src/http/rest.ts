// REST tool calls: POST /api/tools/{name} runs the same call pipeline as MCP (auth, access, arguments,
// limits, cache, credentials, audit) and answers with plain HTTP statuses and problem+json errors.
import { Elysia } from 'elysia';
import type { CallPipeline } from '../call/pipeline.ts';
import { ANONYMOUS, type Caller } from '../caller.ts';
import { NexusError, toNexusError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { headerContext, NOOP_TRACER, type Tracer } from '../trace/tracer.ts';
import { CLOSE, readBodyText } from './body.ts';
import { problem } from './problem.ts';

export interface RestDeps {
  readonly pipeline: CallPipeline;
  readonly authenticate?: (req: Request) => Promise<Caller>;
  readonly maxRequestBytes: number;
  /** Time allowed to receive the request body (ms). */
  readonly bodyTimeoutMs: number;
  readonly log: Logger;
  readonly tracer?: Tracer;
  /** Whether a tool is declared: only then does its name go into the span name. */
  readonly declared?: (name: string) => boolean;
}

const JSON_TYPE = /^application\/([\w.+-]*\+)?json\s*(;|$)/i;

/**
 * Only JSON bodies: a browser can send text/plain, form and multipart bodies cross-site without a
 * preflight, so refusing them stops a web page from calling tools. No body, no content type: `{}`.
 */
function mediaTypeProblem(req: Request): NexusError | undefined {
  const type = req.headers.get('content-type');
  if (type === null ? !hasBody(req) : JSON_TYPE.test(type)) return undefined;
  return new NexusError('UNSUPPORTED_MEDIA_TYPE', 'request body must be application/json');
}

const hasBody = (req: Request) => Number(req.headers.get('content-length') ?? 0) > 0 || req.headers.has('transfer-encoding');

export function restRoutes(deps: RestDeps) {
  const t = deps.tracer ?? NOOP_TRACER;
  const serve = async (request: Request, params: { name: string }) => {
    const requestId = request.headers.get('x-request-id')?.slice(0, 128) || crypto.randomUUID();
    try {
      const media = mediaTypeProblem(request);
      if (media) return problem(media, { 'x-request-id': requestId, ...CLOSE });
      const authenticate = deps.authenticate;
      const caller = authenticate ? await t.span('nexus.authenticate', undefined, () => authenticate(request)) : ANONYMOUS;
      const text = await readBodyText(request, { maxBytes: deps.maxRequestBytes, timeoutMs: deps.bodyTimeoutMs });
      let args: unknown = {};
      if (text.trim()) {
        try {
          args = JSON.parse(text);
        } catch {
          throw new NexusError('INVALID_INPUT', 'request body is not valid JSON', { details: { issues: ['body: not valid JSON'] } });
        }
      }
      const outcome = await deps.pipeline.call(params.name, args, caller, { requestId, signal: request.signal });
      const r = outcome.result;
      const headers = { 'x-request-id': requestId, 'x-nexus-source': outcome.source };
      if (!r.isError) {
        if (r.json !== undefined) return Response.json(r.json, { headers });
        const text = r.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
        return new Response(text, { headers: { ...headers, 'content-type': 'text/plain; charset=utf-8' } });
      }
      const detail = r.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
      // a backend's own 429 reaches the client as a 429 with its Retry-After, so it can back off
      const failed = outcome.error?.code;
      const code =
        failed === 'UPSTREAM_TIMEOUT' || failed === 'UNAVAILABLE' ? failed : r.status === 429 ? 'RATE_LIMITED' : 'UPSTREAM_ERROR';
      const wait = r.retryAfter !== undefined && { retryAfter: r.retryAfter };
      const err = new NexusError(code, detail, { details: { ...(r.status && { backendStatus: r.status }), ...wait } });
      return problem(err, { ...headers, ...(wait && { 'retry-after': String(r.retryAfter) }) });
    } catch (e) {
      const err = toNexusError(e);
      if (err.code === 'INTERNAL') deps.log.error('REST call failed', { requestId, err: err.cause ?? err });
      const headers: Record<string, string> = { 'x-request-id': requestId };
      if (err.code === 'REQUEST_TIMEOUT' || err.code === 'PAYLOAD_TOO_LARGE') Object.assign(headers, CLOSE);
      const retry = err.details?.retryAfter;
      if (typeof retry === 'number') headers['retry-after'] = String(Math.max(1, Math.ceil(retry)));
      return problem(err, headers);
    }
  };
  return new Elysia({ name: 'rest-tools' }).post(
    '/api/tools/:name',
    ({ request, params }) => {
      if (!t.enabled) return serve(request, params);
      const tool = deps.declared?.(params.name) ? params.name : undefined;
      return t.span(
        `POST /api/tools/${tool ?? ':name'}`,
        {
          kind: 'server',
          remote: headerContext(request.headers),
          attributes: {
            'http.request.method': 'POST',
            'http.route': '/api/tools/:name',
            'url.path': tool ? `/api/tools/${tool}` : undefined,
            'network.protocol.name': 'http',
            'user_agent.original': request.headers.get('user-agent')?.slice(0, 256),
            'gen_ai.tool.name': tool,
          },
        },
        async (span) => {
          const res = await serve(request, params);
          span.set('http.response.status_code', res.status);
          if (res.status >= 500) span.fail(String(res.status));
          return res;
        },
      );
    },
    { parse: 'none' },
  );
}
