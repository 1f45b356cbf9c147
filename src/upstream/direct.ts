// tools/call over a Streamable HTTP session as one JSON-RPC POST made here rather than by the SDK
// client: scripts/bench/upstream-client.ts measured the client's per-call work (zod parsing of each
// message in its transport and again in its protocol layer, stream objects, header scans) at several
// times the cost of the POST itself. The SDK client still owns everything else: the session
// (initialize or server/discover, Mcp-Session-Id, the standalone GET stream), listings, notifications,
// server requests arriving on a call's stream (handed to it), cancellation notices, and every call this
// path declines (x-mcp-header mirroring, input_required rounds). The result is validated once, here.
import { ProtocolError, SdkError, SdkErrorCode, SdkHttpError } from '@modelcontextprotocol/client';
import type { Progress } from '../call/types.ts';
import type { FetchLike } from './fetch.ts';

export interface DirectSession {
  readonly url: URL;
  readonly fetch: FetchLike;
  /** `modern` (2026-07-28: a `_meta` envelope and Mcp-Method/Mcp-Name on each request) or `legacy`. */
  readonly era: 'modern' | 'legacy';
  readonly protocolVersion: string;
  /** Mcp-Session-Id of a legacy stateful session, read at each call (the SDK may renew it). */
  sessionId(): string | undefined;
  /** The reserved `_meta` keys every modern request carries (protocol version, client info, capabilities). */
  readonly envelope?: Readonly<Record<string, unknown>>;
  /** Sends notifications/cancelled for a request on this session (legacy era; through the SDK client). */
  cancel(requestId: string, reason: string): void;
  /** A message on a call's stream that is neither its answer nor its progress (a server request, a notification). */
  deliver(message: Record<string, unknown>): void;
}

export interface DirectCallOptions {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: Progress) => void;
  /** W3C trace context for the request: sent as headers and in `params._meta`. */
  readonly trace?: Readonly<Record<string, string>>;
}

export interface DirectAnswer {
  readonly result: Record<string, unknown>;
  /** The JSON text the result came in (for a quick check before masking walks the value). */
  readonly text: string;
}

/** Returned when the call is better made by the SDK client (it has not been sent, or must be redone there). */
export const LEAVE_TO_SDK = Symbol('leave to the SDK client');

const TOKEN = /^[\w.\-/]{1,128}$/; // names sent as Mcp-Name unencoded, as the SDK would send them
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const mirrored = new WeakMap<object, boolean>();

/** Whether a tool's calls can take this path: a plain name and no x-mcp-header declarations to mirror. */
export function directEligible(name: string, inputSchema: object | undefined): boolean {
  if (!TOKEN.test(name)) return false;
  if (!inputSchema) return true;
  let m = mirrored.get(inputSchema);
  if (m === undefined) mirrored.set(inputSchema, (m = JSON.stringify(inputSchema).includes('"x-mcp-header"')));
  return !m;
}

let seq = 0;

export async function directCall(
  s: DirectSession,
  name: string,
  args: Record<string, unknown>,
  o: DirectCallOptions,
): Promise<DirectAnswer | typeof LEAVE_TO_SDK> {
  // string ids: never the numbers the SDK client uses for its own requests on the same session
  const id = `nx-${(++seq).toString(36)}`;
  const meta: Record<string, unknown> = { ...o.trace, ...s.envelope };
  if (o.onProgress) meta.progressToken = id;
  const params = { name, arguments: args, ...(Object.keys(meta).length && { _meta: meta }) };
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': s.protocolVersion,
    ...o.trace,
  };
  if (s.era === 'modern') {
    headers['mcp-method'] = 'tools/call';
    headers['mcp-name'] = name;
  } else {
    const session = s.sessionId();
    if (session) headers['mcp-session-id'] = session;
  }
  const ac = new AbortController();
  let stopped: 'timeout' | 'cancelled' | undefined;
  const stop = (why: 'timeout' | 'cancelled') => {
    stopped ??= why;
    ac.abort();
  };
  const timer = setTimeout(() => stop('timeout'), o.timeoutMs);
  const onAbort = () => stop('cancelled');
  o.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (o.signal?.aborted) stop('cancelled');
    const res = await s.fetch(s.url, {
      method: 'POST',
      headers,
      body: JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params }),
      signal: ac.signal,
    });
    if (!res.ok) return await refused(res, id, s.era);
    const type = (res.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (type === 'application/json') return answer(await res.text(), id, s.era);
    if (type === 'text/event-stream' && res.body) return await fromStream(res, id, s, o.onProgress);
    await res.body?.cancel();
    throw new SdkError(SdkErrorCode.ClientHttpUnexpectedContent, `unexpected content type ${JSON.stringify(type.slice(0, 64))}`);
  } catch (e) {
    if (!stopped) throw e;
    // modern era: closing the request's stream is the cancellation; legacy: a notification says so
    if (s.era === 'legacy') s.cancel(id, stopped === 'timeout' ? 'timed out' : 'cancelled by the client');
    if (stopped === 'timeout') throw new SdkError(SdkErrorCode.RequestTimeout, 'request timed out');
    throw new DOMException('call cancelled', 'AbortError');
  } finally {
    clearTimeout(timer);
    o.signal?.removeEventListener('abort', onAbort);
  }
}

async function refused(res: Response, id: string, era: DirectSession['era']): Promise<never> {
  const text = await res.text().catch(() => '');
  // a 2026-07-28 server answers a request it rejects with a JSON-RPC error in a 400
  if (res.status === 400 && era === 'modern' && text.startsWith('{')) {
    const msg = parse(text);
    if (isObject(msg) && msg.id === id && isObject(msg.error)) throw protocolError(msg.error);
  }
  throw new SdkHttpError(SdkErrorCode.ClientHttpNotImplemented, `HTTP ${res.status}`, { status: res.status, statusText: res.statusText });
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new SdkError(SdkErrorCode.InvalidResult, 'answer is not JSON');
  }
}

const protocolError = (e: Record<string, unknown>) =>
  ProtocolError.fromError(typeof e.code === 'number' ? e.code : -32603, typeof e.message === 'string' ? e.message : '', e.data);

/** The answer in a JSON body (one message, or a batch holding it). */
function answer(text: string, id: string, era: DirectSession['era']): DirectAnswer | typeof LEAVE_TO_SDK {
  const body = parse(text);
  const msg = Array.isArray(body) ? body.find((m) => isObject(m) && m.id === id) : body;
  if (!isObject(msg) || msg.id !== id) throw new SdkError(SdkErrorCode.InvalidResult, 'answer is for another request');
  return settle(msg, text, era);
}

function settle(msg: Record<string, unknown>, text: string, era: DirectSession['era']): DirectAnswer | typeof LEAVE_TO_SDK {
  if (isObject(msg.error)) throw protocolError(msg.error);
  const result = msg.result;
  if (!isObject(result)) throw new SdkError(SdkErrorCode.InvalidResult, 'result is not an object');
  if (era === 'modern') {
    // input_required: the SDK client runs the rounds (the upstream holds no state until it completes)
    if (result.resultType === 'input_required') return LEAVE_TO_SDK;
    if (result.resultType !== 'complete') throw new SdkError(SdkErrorCode.InvalidResult, 'result has no resultType "complete"');
  }
  const problem = resultProblem(result);
  if (problem) throw new SdkError(SdkErrorCode.InvalidResult, `malformed tools/call result: ${problem}`);
  return { result, text };
}

const BLOCK_FIELDS: Record<string, readonly string[]> = {
  text: ['text'],
  image: ['data', 'mimeType'],
  audio: ['data', 'mimeType'],
  resource_link: ['uri', 'name'],
  resource: [],
};

/** What makes a value not a CallToolResult (content blocks of the known types, optional fields typed), or undefined. */
export function resultProblem(r: Record<string, unknown>): string | undefined {
  if (!Array.isArray(r.content)) return 'content is not an array';
  for (let i = 0; i < r.content.length; i++) {
    const b: unknown = r.content[i];
    if (!isObject(b) || typeof b.type !== 'string') return `content[${i}] has no type`;
    const fields = BLOCK_FIELDS[b.type];
    if (!fields) return `content[${i}] has unknown type ${JSON.stringify(b.type.slice(0, 32))}`;
    for (const f of fields) if (typeof b[f] !== 'string') return `content[${i}].${f} is not a string`;
    if (b.type === 'resource' && !(isObject(b.resource) && typeof b.resource.uri === 'string')) return `content[${i}].resource has no uri`;
  }
  if (r.structuredContent !== undefined && !isObject(r.structuredContent)) return 'structuredContent is not an object';
  if (r.isError !== undefined && typeof r.isError !== 'boolean') return 'isError is not a boolean';
  return undefined;
}

/** Reads a call's SSE stream: progress relayed, other messages handed to the SDK client, until the answer. */
async function fromStream(
  res: Response,
  id: string,
  s: DirectSession,
  onProgress: DirectCallOptions['onProgress'],
): Promise<DirectAnswer | typeof LEAVE_TO_SDK> {
  let buf = '';
  let event = '';
  let data: string[] = [];
  const dispatch = (): DirectAnswer | typeof LEAVE_TO_SDK | undefined => {
    const text = data.join('\n');
    const kind = event;
    data = [];
    event = '';
    if (!text || (kind && kind !== 'message')) return undefined;
    const msg = parse(text);
    if (!isObject(msg)) return undefined;
    if (msg.id === id && !('method' in msg)) return settle(msg, text, s.era);
    if (msg.method === 'notifications/progress' && isObject(msg.params) && msg.params.progressToken === id) {
      const p = msg.params;
      if (typeof p.progress === 'number')
        onProgress?.({
          progress: p.progress,
          ...(typeof p.total === 'number' && { total: p.total }),
          ...(typeof p.message === 'string' && { message: p.message }),
        });
      return undefined;
    }
    s.deliver(msg);
    return undefined;
  };
  /** Takes more text; the answer once its event is complete. */
  const take = (more: string): DirectAnswer | typeof LEAVE_TO_SDK | undefined => {
    buf += more;
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const line = buf.charCodeAt(nl - 1) === 13 ? buf.slice(0, nl - 1) : buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line === '') {
        const got = dispatch();
        if (got !== undefined) return got;
      } else if (line.startsWith('data:')) data.push(line.slice(line[5] === ' ' ? 6 : 5));
      else if (line.startsWith('event:')) event = line.slice(6).trim();
    }
    return undefined;
  };
  const ended = () => {
    const last = take('\n') ?? dispatch();
    if (last !== undefined) return last;
    throw new Error('the answer stream ended before the answer'); // not a lost session: the call is not sent again
  };
  // a declared length: the server wrote the whole stream already, nothing in it waits for a reply
  if (res.headers.has('content-length') && !res.headers.has('content-encoding')) return take(await res.text()) ?? ended();
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return take(decoder.decode()) ?? ended();
      const got = take(decoder.decode(value, { stream: true }));
      if (got !== undefined) return got;
    }
  } finally {
    void reader.cancel().catch(() => {});
  }
}
