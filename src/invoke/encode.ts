// How argument values become query pairs, form bodies and multipart bodies (OpenAPI style/explode):
//   repeat  a=1&a=2            (form, explode: true; the default for query parameters)
//   comma   a=1,2              (form, explode: false; simple in paths and headers)
//   space   a=1%202            (spaceDelimited)
//   pipe    a=1|2              (pipeDelimited)
//   deep    a[b]=1&a[c][0]=x   (deepObject, nested the way Stripe and `qs` do it; the default in form bodies)
// Strings are sent as they are, numbers and booleans as JSON text, null as an empty value; an empty
// array or object sends nothing (as qs does). Non-deep styles send a nested object as JSON text.
import { randomBytes } from 'node:crypto';
import { NexusError } from '../errors.ts';
import type { BodyEncoding, ValueStyle } from '../registry/spec.ts';

const DELIMITER = { comma: ',', space: ' ', pipe: '|' } as const;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One scalar as text: strings as they are, null as empty, anything else as JSON. */
export const scalarText = (v: unknown): string => (typeof v === 'string' ? v : v === null ? '' : JSON.stringify(v));

/** An array joined with `,` (simple style, for paths and headers); anything else as scalarText. */
export const simpleText = (v: unknown): string => (Array.isArray(v) ? v.map(scalarText).join(',') : scalarText(v));

/** `name=value` pairs of one value in a style; `out` collects them in order. */
export function stylePairs(name: string, value: unknown, style: ValueStyle, out: Array<[string, string]> = []): Array<[string, string]> {
  if (value === undefined) return out;
  if (style === 'deep') return deepPairs(name, value, out);
  if (!Array.isArray(value)) out.push([name, scalarText(value)]);
  else if (style === 'repeat') for (const v of value) out.push([name, scalarText(v)]);
  else if (value.length) out.push([name, value.map(scalarText).join(DELIMITER[style])]);
  return out;
}

function deepPairs(name: string, value: unknown, out: Array<[string, string]>): Array<[string, string]> {
  if (Array.isArray(value)) for (let i = 0; i < value.length; i++) deepPairs(`${name}[${i}]`, value[i], out);
  else if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) if (v !== undefined) deepPairs(`${name}[${k}]`, v, out);
  } else out.push([name, scalarText(value)]);
  return out;
}

function bodyObject(tool: string, body: unknown, encoding: BodyEncoding): Record<string, unknown> {
  if (isObject(body)) return body;
  throw new NexusError('INVALID_INPUT', `invalid arguments for tool ${tool}: a ${encoding} body must be an object`, {
    details: { issues: [`body: a ${encoding} body must be an object, got ${Array.isArray(body) ? 'an array' : typeof body}`] },
  });
}

/** application/x-www-form-urlencoded: each top-level field in its style (default deep). */
export function formBody(tool: string, body: unknown, styles: Readonly<Record<string, ValueStyle>>): string {
  const pairs: Array<[string, string]> = [];
  for (const [k, v] of Object.entries(bodyObject(tool, body, 'form'))) stylePairs(k, v, styles[k] ?? 'deep', pairs);
  return new URLSearchParams(pairs).toString();
}

// RFC 7578 / HTML: a field name is quoted; quotes and line breaks in it are percent-encoded
const partName = (n: string) => n.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');

/**
 * multipart/form-data with text parts only: a scalar is one part, an array of scalars one part per
 * item, anything else one application/json part; a field with a style is sent as its pairs.
 */
export function multipartBody(
  tool: string,
  body: unknown,
  styles: Readonly<Record<string, ValueStyle>>,
): { readonly body: string; readonly contentType: string } {
  const boundary = `nexus-${randomBytes(16).toString('hex')}`;
  const parts: string[] = [];
  const part = (name: string, text: string, type?: string) =>
    parts.push(
      `--${boundary}\r\nContent-Disposition: form-data; name="${partName(name)}"\r\n${type ? `Content-Type: ${type}\r\n` : ''}\r\n${text}\r\n`,
    );
  for (const [k, v] of Object.entries(bodyObject(tool, body, 'multipart'))) {
    if (v === undefined) continue;
    const style = styles[k];
    if (style) for (const [n, t] of stylePairs(k, v, style)) part(n, t);
    else if (!isObject(v) && !Array.isArray(v)) part(k, scalarText(v));
    else if (Array.isArray(v) && v.every((x) => !isObject(x) && !Array.isArray(x))) for (const x of v) part(k, scalarText(x));
    else part(k, JSON.stringify(v), 'application/json');
  }
  return { body: `${parts.join('')}--${boundary}--\r\n`, contentType: `multipart/form-data; boundary=${boundary}` };
}
