// An operation's request body -> the schema, encoding and field styles of the tool's body, or why not.
// JSON is preferred, then application/x-www-form-urlencoded, then multipart/form-data (text and JSON
// fields; a file part is left out, or skips the operation when required), then */* read as JSON.
import type { HttpMethod, ValueStyle } from '../registry/spec.ts';
import { isRecord, type JsonRecord } from '../util/json.ts';
import { type JsonSchema, toJsonSchema } from './schema.ts';
import { fieldStyle, valueShape } from './styles.ts';
import type { Operation, PropertyEncoding } from './types.ts';

export interface BodyPlan {
  /** The converted body schema (file fields left out). */
  readonly schema: JsonSchema;
  readonly encoding?: 'form' | 'multipart';
  readonly bodyStyles?: Record<string, ValueStyle>;
}

export type BodyChoice =
  | { readonly ok: true; readonly plan?: BodyPlan; readonly warnings: string[] }
  | { readonly ok: false; readonly reason: string; readonly kind: string; readonly warnings: string[] };

export const isJsonMediaType = (t: string): boolean => /^application\/([\w.+-]+\+)?json(\s*;|$)/i.test(t.trim());
const isForm = (t: string) => /^application\/x-www-form-urlencoded(\s*;|$)/i.test(t.trim());
const isMultipart = (t: string) => /^multipart\/form-data(\s*;|$)/i.test(t.trim());
const isAny = (t: string) => /^(\*\/\*|application\/\*)(\s*;|$)/i.test(t.trim());

/** A file part: binary strings (OpenAPI 3.0, Swagger `file`), a non-text contentMediaType (3.1), arrays of them. */
const isFile = (s: unknown, e?: PropertyEncoding): boolean =>
  (e?.contentType !== undefined && !/json|^text\/|\*\/\*/i.test(e.contentType)) ||
  (isRecord(s) &&
    (s.format === 'binary' ||
      s.type === 'file' ||
      (typeof s.contentMediaType === 'string' && !/json|^text\//i.test(s.contentMediaType)) ||
      (s.type === 'array' && isFile(s.items))));

const isEmptyObject = (s: JsonSchema): boolean =>
  isRecord(s) && s.type === 'object' && (!isRecord(s.properties) || !Object.keys(s.properties).length);

export function planBody(op: Operation, method: HttpMethod, dropped: string[]): BodyChoice {
  const warnings: string[] = [];
  const fail = (kind: string, reason: string): BodyChoice => ({ ok: false, kind, reason, warnings });
  const body = op.body!;
  const types = Object.keys(body.content);
  const type = types.find(isJsonMediaType) ?? types.find(isForm) ?? types.find(isMultipart) ?? types.find(isAny);
  if (!type) {
    return fail(
      'request body media type not supported',
      `request body ${types.join(', ') || '(no media type)'} is not supported (only JSON, form-urlencoded and multipart)`,
    );
  }
  const raw = body.content[type];
  if (isAny(type)) {
    if (raw === undefined || isFile(raw)) return fail('request body media type not supported', `request body ${type} has no JSON schema`);
    warnings.push(`request body ${type} is sent as JSON`);
  }
  let schema = toJsonSchema(raw ?? {}, 'input', dropped);
  // Stripe declares an empty form body on its GETs and DELETEs: nothing to send
  if (isEmptyObject(schema) && (method === 'GET' || method === 'DELETE')) return { ok: true, warnings };
  if (method === 'GET') {
    if (body.required) return fail('GET with a body', 'a GET request with a body is not supported (fetch cannot send one)');
    warnings.push('the optional body of a GET request cannot be sent (fetch refuses one); body skipped');
    return { ok: true, warnings };
  }
  const encoding = isForm(type) ? 'form' : isMultipart(type) ? 'multipart' : undefined;
  if (!encoding) return { ok: true, plan: { schema }, warnings };
  if (!isRecord(schema) || !isRecord(schema.properties)) {
    return fail('form or multipart body without declared fields', `a ${type} body without declared fields cannot be encoded`);
  }
  const rawProps = isRecord(raw) && isRecord(raw.properties) ? raw.properties : {};
  const encodings = body.encoding?.[type] ?? {};
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  const properties: JsonRecord = { ...schema.properties };
  const bodyStyles: Record<string, ValueStyle> = {};
  const skippedFields: string[] = [];
  let files = 0;
  for (const [name, prop] of Object.entries(properties)) {
    const e = encodings[name];
    const skipField = (kind: string, why: string): BodyChoice | undefined => {
      if (required.has(name)) return fail(kind, `required body field "${name}" ${why}`);
      skippedFields.push(`body field "${name}" ${why}; field skipped`);
      delete properties[name];
      return undefined;
    };
    if (isFile(rawProps[name], e)) {
      files++;
      const r = skipField('file upload (multipart file part)', 'is a file, which Nexus cannot upload');
      if (r) return r;
      continue;
    }
    const s = fieldStyle(encoding, valueShape(prop as JsonSchema), e);
    if ('problem' in s) {
      const r = skipField('body field Nexus cannot serialise', `is ${s.problem}, which Nexus cannot serialise`);
      if (r) return r;
      continue;
    }
    if (s.guessed) warnings.push(`body field "${name}" has no encoding; nested values are sent as deepObject (${name}[key]=value)`);
    if (s.style) bodyStyles[name] = s.style;
  }
  if (!Object.keys(properties).length && files && files === skippedFields.length) {
    return fail('file upload (multipart file part)', `the ${type} body holds only file parts, which Nexus cannot upload`);
  }
  warnings.push(...skippedFields);
  schema = { ...schema, properties, ...(required.size && { required: [...required].filter((r) => r in properties) }) };
  if (Array.isArray(schema.required) && !schema.required.length) delete schema.required;
  return { ok: true, plan: { schema, encoding, ...(Object.keys(bodyStyles).length && { bodyStyles }) }, warnings };
}
