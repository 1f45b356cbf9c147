// Shapes a backend answer into a tool result the model can read. Transport-neutral: the MCP edge and
// the REST edge each render it their own way.
import { redactText } from '../util/redact.ts';
import type { BackendResponse } from './http.ts';

export type Content = { type: 'text'; text: string } | { type: 'image'; data: string; mimeType: string };

export interface ToolResult {
  readonly content: Content[];
  readonly structuredContent?: Record<string, unknown>;
  readonly isError: boolean;
  /** Backend HTTP status when there was an answer. */
  readonly status?: number;
  /** The parsed JSON answer (REST edge returns it as is). */
  readonly json?: unknown;
}

const EXCERPT = 500;
const decoder = new TextDecoder('utf-8', { fatal: false });

const isJson = (ct: string) => /^application\/([\w.+-]*\+)?json\b/i.test(ct) || ct === '';
const isTextual = (ct: string) => /^text\/|\/(xml|x-www-form-urlencoded|javascript|yaml)\b/i.test(ct);

/** Masks the values this very request carried as credentials, then every registered secret. */
export function scrub(text: string, injected: readonly string[]): string {
  let out = text;
  // each also as a JSON encoder may write it, "/" escaped as "\/" (PHP does by default)
  for (const s of injected.flatMap((v) => [v, v.replaceAll('/', '\\/')]))
    if (s.length >= 4 && out.includes(s)) out = out.split(s).join('[REDACTED]');
  return redactText(out);
}

export function shapeResponse(res: BackendResponse, injected: readonly string[]): ToolResult {
  const ct = (res.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  const ok = res.status >= 200 && res.status < 300;
  if (!ok) {
    const raw = isJson(ct) || isTextual(ct) ? decoder.decode(res.body.subarray(0, EXCERPT * 4)) : `[${res.body.byteLength} bytes of ${ct}]`;
    const excerpt = scrub(raw.replace(/\s+/g, ' ').trim(), injected).slice(0, EXCERPT);
    return {
      isError: true,
      status: res.status,
      content: [
        {
          type: 'text',
          text: `Backend answered ${res.status}${res.statusText ? ` ${res.statusText}` : ''}${excerpt ? `: ${excerpt}` : ''}`,
        },
      ],
    };
  }
  if (res.body.byteLength === 0)
    return { isError: false, status: res.status, content: [{ type: 'text', text: `(empty answer, HTTP ${res.status})` }] };
  if (ct.startsWith('image/')) {
    return {
      isError: false,
      status: res.status,
      content: [{ type: 'image', data: Buffer.from(res.body).toString('base64'), mimeType: ct }],
    };
  }
  const text = decoder.decode(res.body);
  if (isJson(ct)) {
    const clean = scrub(text, injected);
    try {
      const json: unknown = JSON.parse(clean); // structuredContent / REST json are masked like the text
      const structured = json !== null && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>) : undefined;
      return {
        isError: false,
        status: res.status,
        json,
        content: [{ type: 'text', text: clean }],
        ...(structured && { structuredContent: structured }),
      };
    } catch {
      if (ct !== '')
        return {
          isError: true,
          status: res.status,
          content: [{ type: 'text', text: `Backend sent invalid JSON (HTTP ${res.status}): ${scrub(text.slice(0, EXCERPT), injected)}` }],
        };
    }
  }
  if (isTextual(ct) || ct === '' || !text.includes('\uFFFD'))
    return { isError: false, status: res.status, content: [{ type: 'text', text: scrub(text, injected) }] };
  return { isError: false, status: res.status, content: [{ type: 'text', text: `[${res.body.byteLength} bytes of ${ct}]` }] };
}

export const errorResult = (message: string, status?: number): ToolResult => ({
  isError: true,
  content: [{ type: 'text', text: message }],
  ...(status !== undefined && { status }),
});
