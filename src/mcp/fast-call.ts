// The hot path: a plain, well-formed `tools/call` in either revision is answered directly, producing
// the same JSON-RPC message the SDK would (test/integration/mcp/fast-path.test.ts compares them).
// Anything unusual (other methods, extra _meta, header mismatches, odd Accept/Content-Type) is left to
// the SDK, which owns the protocol's error answers. Profiling showed the SDK's per-request server and
// repeated zod validation of the same message costing more than the whole gateway call.

import type { CallPipeline } from '../call/pipeline.ts';
import type { CallOutcome, ClientChannel } from '../call/types.ts';
import type { Caller } from '../caller.ts';
import { toNexusError } from '../errors.ts';
import type { ToolResult } from '../invoke/result.ts';
import { type ClientRelay, relayable } from './relay.ts';
import { SERVER_INFO } from './server.ts';

const PV = 'io.modelcontextprotocol/protocolVersion';
const CAPS = 'io.modelcontextprotocol/clientCapabilities';
const INFO = 'io.modelcontextprotocol/clientInfo';
const SERVER_INFO_KEY = 'io.modelcontextprotocol/serverInfo';
const MODERN = '2026-07-28';
const LEGACY_VERSIONS = new Set(['2025-11-25', '2025-06-18', '2025-03-26']);

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
// W3C trace context a client may add to any request's _meta (SEP-414); it changes nothing in the answer
const TRACE_KEYS = ['traceparent', 'tracestate', 'baggage'];
const traceKeys = (meta: Record<string, unknown>) => TRACE_KEYS.reduce((n, k) => n + (k in meta ? 1 : 0), 0);

type Era = 'legacy' | 'modern';

/** The era of a request the fast path may answer, or undefined to leave it to the SDK. */
function eligible(req: Request, body: Record<string, unknown>, params: Record<string, unknown>): Era | undefined {
  const h = req.headers;
  if (!(h.get('content-type') ?? '').toLowerCase().startsWith('application/json')) return undefined;
  const accept = h.get('accept') ?? '';
  const header = h.get('mcp-protocol-version');
  const meta = params._meta;
  const traced = isObject(meta) ? traceKeys(meta) : 0;
  if (meta === undefined || (traced && Object.keys(meta as object).length === traced)) {
    // 2025-era stateless POST: the SDK's transport requires both media types in Accept
    if (!accept.includes('application/json') || !accept.includes('text/event-stream')) return undefined;
    if (header !== null && !LEGACY_VERSIONS.has(header)) return undefined;
    return 'legacy';
  }
  if (!isObject(meta) || Object.keys(meta).length !== 3 + traced || meta[PV] !== MODERN || header !== MODERN) return undefined;
  if (!isObject(meta[CAPS]) || !isObject(meta[INFO])) return undefined;
  const info = meta[INFO] as Record<string, unknown>;
  if (typeof info.name !== 'string' || typeof info.version !== 'string') return undefined;
  if (h.get('mcp-method') !== 'tools/call' || h.get('mcp-name') !== params.name) return undefined;
  if (!accept.includes('application/json') && !accept.includes('*/*')) return undefined;
  void body;
  return 'modern';
}

export interface FastCallDeps {
  readonly pipeline: CallPipeline;
  readonly version: string;
  /** 2026-07-28 calls of upstream tools by clients that can answer their requests go through it. */
  readonly relay?: { readonly relay: ClientRelay; readonly upstream: (tool: string) => boolean };
}

/** A Response for an eligible tools/call, or undefined when the SDK should serve the request. */
export function fastToolCall(
  req: Request,
  body: unknown,
  caller: Caller,
  requestId: string,
  deps: FastCallDeps,
  /** Aborted when the client cancels the call or drops the request (default: the request's own); read only by a call that waits. */
  signal?: () => AbortSignal,
): Promise<Response> | undefined {
  if (!isObject(body) || body.jsonrpc !== '2.0' || body.method !== 'tools/call') return undefined;
  const id = body.id;
  if (!(typeof id === 'string' || (typeof id === 'number' && Number.isInteger(id)))) return undefined;
  const params = body.params;
  if (!isObject(params) || typeof params.name !== 'string') return undefined;
  const keys = Object.keys(params).filter((k) => k !== 'name' && k !== 'arguments' && k !== '_meta');
  if (keys.length || (params.arguments !== undefined && !isObject(params.arguments))) return undefined;
  if (Object.keys(body).length !== 4) return undefined;
  const era = eligible(req, body, params);
  if (!era) return undefined;
  const caps =
    era === 'modern' && deps.relay?.upstream(params.name) ? relayable((params._meta as Record<string, unknown>)[CAPS]) : undefined;
  return answer(era, id, params.name, params.arguments, caller, requestId, signal ?? (() => req.signal), deps, caps);
}

// A cached result is one frozen object shared by every hit: its JSON is written once
const payloads = new WeakMap<ToolResult, string>();

/** `"content":…,"structuredContent":…,"isError":…` of a result. */
function payload(r: ToolResult, shared: boolean): string {
  let text = shared ? payloads.get(r) : undefined;
  if (text === undefined) {
    const part: Record<string, unknown> = { content: r.content };
    if (r.structuredContent && !r.isError) part.structuredContent = r.structuredContent;
    part.isError = r.isError;
    text = JSON.stringify(part).slice(1, -1);
    if (shared) payloads.set(r, text);
  }
  return text;
}

async function answer(
  era: Era,
  id: string | number,
  name: string,
  args: unknown,
  caller: Caller,
  requestId: string,
  signal: () => AbortSignal,
  deps: FastCallDeps,
  /** What the client can answer, when an upstream's requests may come back to it (input_required). */
  caps?: Record<string, unknown>,
): Promise<Response> {
  let message: string;
  try {
    let outcome: CallOutcome;
    if (caps && deps.relay) {
      const run = (client: ClientChannel, s: AbortSignal) => deps.pipeline.call(name, args, caller, { requestId, signal: s, client });
      const step = await deps.relay.relay.start(caller, name, caps, run, signal());
      if (step.kind === 'input') {
        const result = { resultType: 'input_required', inputRequests: step.requests, requestState: step.state };
        const meta = { [SERVER_INFO_KEY]: { ...SERVER_INFO, version: deps.version } };
        return Response.json({ result: { ...result, _meta: meta }, jsonrpc: '2.0', id });
      }
      if (step.kind === 'failed') throw step.error;
      outcome = step.value;
    } else
      outcome = await deps.pipeline.call(name, args, caller, {
        requestId,
        get signal() {
          return signal();
        },
      });
    const r = outcome.result;
    const meta: Record<string, unknown> = {
      'nexus/source': outcome.source,
      ...(r.status !== undefined && { 'nexus/status': r.status }),
      ...(r.retryAfter !== undefined && { 'nexus/retryAfter': r.retryAfter }),
    };
    if (era === 'modern') meta[SERVER_INFO_KEY] = { ...SERVER_INFO, version: deps.version };
    // the same text JSON.stringify gives for { result: { _meta, content, structuredContent?, isError, resultType? }, jsonrpc, id }
    const tail = era === 'modern' ? ',"resultType":"complete"}' : '}';
    message = `{"result":{"_meta":${JSON.stringify(meta)},${payload(r, outcome.source === 'cache')}${tail},"jsonrpc":"2.0","id":${JSON.stringify(id)}}`;
  } catch (e) {
    const err = toNexusError(e);
    message = JSON.stringify({
      jsonrpc: '2.0',
      id,
      error: { code: err.jsonRpcCode, message: err.message, data: err.details ? { code: err.code, ...err.details } : { code: err.code } },
    });
  }
  return new Response(message, ANSWER_INIT);
}

// Every answer's headers from one Headers object (a Response copies it): building them from a plain
// object costs about half a microsecond more per call
const ANSWER_INIT = { headers: new Headers({ 'content-type': 'application/json' }) };
