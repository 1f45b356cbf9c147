// Builds the backend request from a tool's template and validated arguments. Arguments are data: they
// can fill a path segment, a query value, a header value or a body value, never change the shape.
import { NexusError } from '../errors.ts';
import type { HttpToolSpec } from '../registry/spec.ts';
import { type Part, parseTemplate, placeholders } from '../registry/template.ts';
import { formBody, multipartBody, simpleText, stylePairs } from './encode.ts';
import type { OutgoingRequest } from './types.ts';

interface Compiled {
  readonly path: Part[];
  readonly query: Array<[string, Part[]]>;
  readonly headers: Array<[string, Part[]]>;
  /** Arguments consumed by path/query/headers/body template; the rest may become the default body. */
  readonly used: Set<string>;
  readonly basePath: string;
}

const cache = new WeakMap<HttpToolSpec, Compiled>();

function compile(tool: HttpToolSpec): Compiled {
  let c = cache.get(tool);
  if (c) return c;
  const r = tool.request;
  const used = new Set(placeholders(r.path));
  const query = Object.entries(r.query).map(([k, v]) => [k, parseTemplate(String(v))] as [string, Part[]]);
  const headers = Object.entries(r.headers).map(([k, v]) => [k, parseTemplate(v)] as [string, Part[]]);
  for (const [, parts] of [...query, ...headers]) for (const p of parts) if ('arg' in p) used.add(p.arg);
  c = { path: parseTemplate(r.path), query, headers, used, basePath: tool.backend.baseUrl.pathname.replace(/\/+$/, '') };
  cache.set(tool, c);
  return c;
}

// a whole-value placeholder: an array fills a path segment or header comma-separated (OpenAPI simple style)
const text = simpleText;

/** Fills parts; undefined when a referenced argument is absent (the caller drops the item). */
function fill(parts: Part[], args: Record<string, unknown>): string | undefined {
  let out = '';
  for (const p of parts) {
    if ('lit' in p) out += p.lit;
    else if (args[p.arg] === undefined || args[p.arg] === null) return undefined;
    else out += text(args[p.arg]);
  }
  return out;
}

function pathSegment(tool: string, name: string, value: unknown): string {
  const s = text(value);
  // `.`/`..` (in any encoding) would be resolved away by URL normalisation; empty would collapse `//`.
  if (s === '' || s === '.' || s === '..') {
    throw new NexusError('INVALID_INPUT', `invalid arguments for tool ${tool}: arguments.${name}: "${s}" is not a valid path segment`, {
      details: { issues: [`arguments.${name}: "${s}" is not a valid path segment`] },
    });
  }
  return encodeURIComponent(s);
}

function substituteBody(tpl: unknown, args: Record<string, unknown>): unknown {
  if (typeof tpl === 'string') {
    const parts = parseTemplate(tpl);
    if (parts.length === 1 && 'arg' in parts[0]!) return args[parts[0].arg]; // keeps the argument's JSON type
    return fill(parts, args);
  }
  if (Array.isArray(tpl)) return tpl.map((v) => substituteBody(v, args)).filter((v) => v !== undefined);
  if (tpl && typeof tpl === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(tpl)) {
      const s = substituteBody(v, args);
      if (s !== undefined) out[k] = s;
    }
    return out;
  }
  return tpl;
}

export function buildRequest(tool: HttpToolSpec, args: Record<string, unknown>): OutgoingRequest {
  const c = compile(tool);
  let path = '';
  for (const p of c.path) path += 'lit' in p ? p.lit : pathSegment(tool.name, p.arg, args[p.arg]);
  const base = tool.backend.baseUrl;
  const url = new URL(base.origin + c.basePath + path);
  // defence in depth: whatever the arguments were, the request stays under the declared base
  if (url.origin !== base.origin || !url.pathname.startsWith(c.basePath)) {
    throw new NexusError('INVALID_INPUT', `invalid arguments for tool ${tool.name}: the request would leave the backend's base URL`);
  }
  for (const [k, parts] of c.query) {
    const single = parts.length === 1 && 'arg' in parts[0]! ? args[parts[0].arg] : undefined;
    const style = tool.request.queryStyles?.[k];
    if (single !== undefined && single !== null && (style || typeof single === 'object')) {
      for (const [n, v] of stylePairs(k, single, style ?? 'repeat')) url.searchParams.append(n, v);
    } else {
      const v = fill(parts, args);
      if (v !== undefined) url.searchParams.append(k, v);
    }
  }
  const headers = new Headers(tool.backend.headers);
  for (const [k, parts] of c.headers) {
    const v = fill(parts, args);
    if (v === undefined) continue;
    if (/[\r\n\0]/.test(v)) {
      const issue = `header ${k}: value contains a line break or NUL`;
      throw new NexusError('INVALID_INPUT', `invalid arguments for tool ${tool.name}: ${issue}`, { details: { issues: [issue] } });
    }
    try {
      headers.set(k, v);
    } catch {
      throw new NexusError('INVALID_INPUT', `invalid arguments for tool ${tool.name}: header ${k}: value is not a valid header value`);
    }
  }
  const method = tool.request.method;
  const body = encodeBody(tool, bodyValue(tool, c, args), headers);
  if (!headers.has('accept')) headers.set('accept', 'application/json, text/plain;q=0.9, */*;q=0.5');
  return body === undefined ? { method, url, headers } : { method, url, headers, body };
}

/** The body template filled in; without one, POST/PUT/PATCH send the arguments not used elsewhere. */
function bodyValue(tool: HttpToolSpec, c: Compiled, args: Record<string, unknown>): unknown {
  if (tool.request.body !== undefined) return substituteBody(tool.request.body, args);
  const method = tool.request.method;
  if (method !== 'POST' && method !== 'PUT' && method !== 'PATCH') return undefined;
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(args)) if (!c.used.has(k)) rest[k] = v;
  return rest;
}

/** The body text in the tool's encoding, setting its Content-Type (multipart always: the boundary is ours). */
function encodeBody(tool: HttpToolSpec, value: unknown, headers: Headers): string | undefined {
  if (value === undefined) return undefined;
  const { encoding = 'json', bodyStyles = {} } = tool.request;
  if (encoding === 'multipart') {
    const m = multipartBody(tool.name, value, bodyStyles);
    headers.set('content-type', m.contentType);
    return m.body;
  }
  const form = encoding === 'form';
  if (!headers.has('content-type')) headers.set('content-type', form ? 'application/x-www-form-urlencoded' : 'application/json');
  return form ? formBody(tool.name, value, bodyStyles) : JSON.stringify(value);
}
