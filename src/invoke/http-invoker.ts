// The invoker for HTTP tools: template -> request, credential, send, one OAuth refresh on 401, shape.
import type { Invoker } from '../call/types.ts';
import { NexusError } from '../errors.ts';
import type { HttpToolSpec } from '../registry/spec.ts';
import { NOOP_TRACER, type Tracer } from '../trace/tracer.ts';
import { type HttpOptions, send } from './http.ts';
import { buildRequest } from './request.ts';
import { shapeResponse } from './result.ts';
import { type InjectCredential, type Injected, NOTHING_INJECTED, withInjected } from './types.ts';

export interface HttpInvokerDeps {
  readonly http?: HttpOptions;
  /** Absent: no vault is configured, and a tool with auth fails with CREDENTIAL_ERROR. */
  readonly inject?: InjectCredential;
  readonly tracer?: Tracer;
}

const isOAuth = (t: HttpToolSpec) => t.auth?.type === 'oauth2_client_credentials' || t.auth?.type === 'oauth2_refresh_token';

export function createHttpInvoker(deps: HttpInvokerDeps): Invoker<HttpToolSpec> {
  const http = deps.http ?? {};
  const t = deps.tracer ?? NOOP_TRACER;
  const credential = async (tool: HttpToolSpec, caller: Parameters<Invoker>[2], attempt: 1 | 2): Promise<Injected> => {
    if (!tool.auth) return NOTHING_INJECTED;
    if (!deps.inject)
      throw new NexusError('CREDENTIAL_ERROR', `tool ${tool.name} needs credential "${tool.auth.credential}" but no vault is configured`);
    return deps.inject(tool.auth, caller, attempt);
  };
  return async (tool, args, caller, ctx) => {
    for (let attempt = 1 as 1 | 2; ; attempt = 2) {
      const req = buildRequest(tool, args);
      // tracing off: no span options, no attribute objects
      const injected = !tool.auth
        ? NOTHING_INJECTED
        : !t.enabled
          ? await credential(tool, caller, attempt)
          : await t.span('nexus.credential', { attributes: { 'nexus.credential': tool.auth.credential } }, () =>
              credential(tool, caller, attempt),
            );
      const out = withInjected(req, injected);
      const opts = ctx.signal || ctx.timeoutMs ? { ...http, signal: ctx.signal, timeoutMs: ctx.timeoutMs } : http;
      const send1 = () => send(out, tool.backend, opts);
      const res = !t.enabled
        ? await send1()
        : await t.span(clientSpanName(tool), clientSpan(tool, out.url, attempt), async (span) => {
            span.inject((k, v) => out.headers.set(k, v)); // after the credential: never taken for an injected secret
            const r = await send1();
            span.set('http.response.status_code', r.status);
            if (r.status >= 500) span.fail(String(r.status));
            return r;
          });
      if (res.status === 401 && attempt === 1 && isOAuth(tool)) continue; // one token refresh, one retry
      return shapeResponse(res, injected.secrets);
    }
  };
}

/** The backend URL's path with the tool's template, never argument values (url.template). */
const urlTemplate = (tool: HttpToolSpec) => `${tool.backend.baseUrl.pathname.replace(/\/+$/, '')}${tool.request.path}`;

// The client span's name and attributes depend on the tool (and the attempt) only, so they are built
// once per tool and shared by its calls; a tool that records url.full builds them per call
interface ClientSpanParts {
  readonly name: string;
  readonly first: ReturnType<typeof clientSpanOptions>;
  readonly retry: ReturnType<typeof clientSpanOptions>;
}
const parts = new WeakMap<HttpToolSpec, ClientSpanParts>();
const partsOf = (tool: HttpToolSpec): ClientSpanParts => {
  let p = parts.get(tool);
  if (!p) {
    const url = tool.backend.baseUrl;
    p = {
      name: `${tool.request.method} ${urlTemplate(tool)}`,
      first: clientSpanOptions(tool, url, 1),
      retry: clientSpanOptions(tool, url, 2),
    };
    parts.set(tool, p);
  }
  return p;
};
const clientSpanName = (tool: HttpToolSpec) => partsOf(tool).name;

function clientSpan(tool: HttpToolSpec, url: URL, attempt: 1 | 2) {
  if (tool.auditArguments) return clientSpanOptions(tool, url, attempt);
  const p = partsOf(tool);
  return attempt === 1 ? p.first : p.retry;
}

function clientSpanOptions(tool: HttpToolSpec, url: URL, attempt: 1 | 2) {
  return Object.freeze({
    kind: 'client' as const,
    attributes: Object.freeze({
      'http.request.method': tool.request.method,
      'server.address': url.hostname,
      'server.port': Number(url.port) || (url.protocol === 'https:' ? 443 : 80),
      'url.scheme': url.protocol.slice(0, -1),
      'url.template': urlTemplate(tool),
      'http.request.resend_count': attempt === 2 ? 1 : undefined,
      // the path and query carry argument values (and maybe an api_key): only for tools that opt in
      'url.full': tool.auditArguments ? `${url.origin}${url.pathname}` : undefined,
    }),
  });
}
