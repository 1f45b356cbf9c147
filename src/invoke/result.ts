// Shapes a backend answer into a tool result the model can read. Transport-neutral: the MCP edge and
// the REST edge each render it their own way.
import { NexusError } from '../errors.ts';
import { jsonDepthExceeds } from '../util/json-depth.ts';
import { type DataMasker, dataMasker, MAX_JSON_DEPTH } from '../util/redact-data.ts';
import type { BackendResponse } from './http.ts';

type ContentExtra = { readonly annotations?: Record<string, unknown>; readonly _meta?: Record<string, unknown> };
/** MCP content blocks: HTTP tools produce text and images; MCP upstreams pass any block through. */
export type Content =
  | ({ type: 'text'; text: string } & ContentExtra)
  | ({ type: 'image'; data: string; mimeType: string } & ContentExtra)
  | ({ type: 'audio'; data: string; mimeType: string } & ContentExtra)
  | ({ type: 'resource'; resource: Record<string, unknown> } & ContentExtra)
  | ({ type: 'resource_link'; uri: string; name: string } & Record<string, unknown> & ContentExtra);

export interface ToolResult {
  readonly content: Content[];
  readonly structuredContent?: Record<string, unknown>;
  readonly isError: boolean;
  /** Backend HTTP status when there was an answer. */
  readonly status?: number;
  /** The parsed JSON answer (REST edge returns it as is). */
  readonly json?: unknown;
  /** Seconds the backend asked callers to wait (Retry-After on a 429 or 503). */
  readonly retryAfter?: number;
}

const MAX_RETRY_AFTER_S = 86_400;

/** Retry-After as seconds (delta-seconds or an HTTP date), bounded; undefined when absent or unreadable. */
export function retryAfterSeconds(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const t = value.trim();
  const s = /^\d+$/.test(t) ? Number(t) : Math.ceil((Date.parse(t) - now) / 1000);
  return Number.isFinite(s) ? Math.min(MAX_RETRY_AFTER_S, Math.max(0, s)) : undefined;
}

const EXCERPT = 500;
/** Deepest backend JSON shaped into a result: deeper answers would overflow the stack later (serialising, caching). */
export const MAX_ANSWER_DEPTH = MAX_JSON_DEPTH;
const TOO_DEEP = Symbol('too deep');
const tooDeep = (status: number): ToolResult => ({
  isError: true,
  status,
  content: [{ type: 'text', text: `Backend answer is nested deeper than ${MAX_ANSWER_DEPTH} levels (HTTP ${status}); refused` }],
});
const decoder = new TextDecoder('utf-8', { fatal: false });

const isJson = (ct: string) => /^application\/([\w.+-]*\+)?json\b/i.test(ct) || ct === '';
const isTextual = (ct: string) => /^text\/|\/(xml|x-www-form-urlencoded|javascript|yaml)\b/i.test(ct);

/** Masks the values this very request carried as credentials and every secret the vault holds, decoded. */
export function scrub(text: string, injected: readonly string[]): string {
  return dataMasker(injected).text(text);
}

/** A short excerpt for an error message: whitespace folded, masked over the whole text, then cut, then masked again. */
function excerpt(text: string, mask: DataMasker): string {
  let shown = text;
  try {
    const json: unknown = JSON.parse(text);
    if (json !== null && typeof json === 'object') shown = JSON.stringify(mask.json(json));
  } catch {} // not JSON: masked as text
  return mask.text(mask.text(shown.replace(/\s+/g, ' ').trim()).slice(0, EXCERPT));
}

/** Parsed JSON with every decoded string masked; the text as sent when nothing needed masking. */
function maskedJson(text: string, mask: DataMasker): { json: unknown; text: string } | typeof TOO_DEEP {
  const json: unknown = JSON.parse(text);
  // before any walk (masking, serialising, caching) could overflow the stack; a depth needs as many characters
  if (text.length > MAX_ANSWER_DEPTH && jsonDepthExceeds(json, MAX_ANSWER_DEPTH)) return TOO_DEEP;
  // no escape in the text and no secret in it: no decoded string can hold one either, skip the walk
  if (!text.includes('\\') && !mask.test(text)) return { json, text };
  const clean = mask.json(json);
  return { json: clean, text: clean === json ? text : JSON.stringify(clean) };
}

export function shapeResponse(res: BackendResponse, injected: readonly string[]): ToolResult {
  const ct = (res.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  const ok = res.status >= 200 && res.status < 300;
  const mask = dataMasker(injected);
  if (!ok) {
    const shown = isJson(ct) || isTextual(ct) ? excerpt(decoder.decode(res.body), mask) : `[${res.body.byteLength} bytes of ${ct}]`;
    const retryAfter = res.status === 429 || res.status === 503 ? retryAfterSeconds(res.headers.get('retry-after')) : undefined;
    const wait = retryAfter !== undefined ? ` (retry after ${retryAfter} s)` : '';
    return {
      isError: true,
      status: res.status,
      ...(retryAfter !== undefined && { retryAfter }),
      content: [
        {
          type: 'text',
          text: `Backend answered ${res.status}${res.statusText ? ` ${res.statusText}` : ''}${wait}${shown ? `: ${shown}` : ''}`,
        },
      ],
    };
  }
  if (res.body.byteLength === 0)
    return { isError: false, status: res.status, content: [{ type: 'text', text: `(empty answer, HTTP ${res.status})` }] };
  const text = decoder.decode(res.body);
  if (ct.startsWith('image/')) {
    // an image's bytes are data too: one that carries a credential is withheld, not passed on
    if (mask.test(text))
      return errorResult(`Backend answer (${ct}, ${res.body.byteLength} bytes) withheld: it contains a credential`, res.status);
    return {
      isError: false,
      status: res.status,
      content: [{ type: 'image', data: Buffer.from(res.body).toString('base64'), mimeType: ct }],
    };
  }
  if (isJson(ct)) {
    try {
      const parsed = maskedJson(text, mask); // structuredContent / REST json are masked like the text
      if (parsed === TOO_DEEP) return tooDeep(res.status);
      const { json, text: clean } = parsed;
      const structured = json !== null && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>) : undefined;
      return {
        isError: false,
        status: res.status,
        json,
        content: [{ type: 'text', text: clean }],
        ...(structured && { structuredContent: structured }),
      };
    } catch (e) {
      if (e instanceof NexusError) return errorResult(`Backend answer refused (HTTP ${res.status}): ${e.message}`, res.status);
      if (e instanceof RangeError) return tooDeep(res.status);
      if (ct !== '')
        return {
          isError: true,
          status: res.status,
          content: [{ type: 'text', text: `Backend sent invalid JSON (HTTP ${res.status}): ${excerpt(text, mask)}` }],
        };
    }
  }
  if (isTextual(ct) || ct === '' || !text.includes('\uFFFD'))
    return { isError: false, status: res.status, content: [{ type: 'text', text: mask.text(text) }] };
  return { isError: false, status: res.status, content: [{ type: 'text', text: `[${res.body.byteLength} bytes of ${ct}]` }] };
}

export const errorResult = (message: string, status?: number): ToolResult => ({
  isError: true,
  content: [{ type: 'text', text: message }],
  ...(status !== undefined && { status }),
});
