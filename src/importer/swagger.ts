// Swagger 2.0 specifics, read into the OpenAPI 3 shapes the rest of the importer uses.
import { isRecord, type JsonRecord, record, str, strings } from '../util/json.ts';
import type { Parameter, PropertyEncoding, RequestBody } from './types.ts';

// Swagger 2.0 puts a non-body parameter's schema keywords on the parameter itself.
const SCHEMA_KEYS = [
  'type',
  'format',
  'items',
  'enum',
  'default',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minLength',
  'maxLength',
  'pattern',
  'minItems',
  'maxItems',
  'uniqueItems',
  'multipleOf',
];

const keywords = (p: JsonRecord): JsonRecord => {
  const schema: JsonRecord = {};
  for (const k of SCHEMA_KEYS) if (p[k] !== undefined) schema[k] = p[k];
  return schema;
};

export function swaggerParameter(p: JsonRecord): Parameter | undefined {
  const name = typeof p.name === 'string' && p.name ? p.name : undefined;
  const where = p.in;
  if (!name || (where !== 'path' && where !== 'query' && where !== 'header')) return undefined;
  const schema = keywords(p);
  const description = str(p.description);
  return {
    name,
    in: where,
    required: p.required === true || where === 'path',
    ...(description && { description }),
    schema,
    ...(schema.type === 'array' && { collectionFormat: str(p.collectionFormat) ?? 'csv' }),
  };
}

const mediaTypes = (op: JsonRecord, doc: JsonRecord, key: 'consumes' | 'produces'): string[] => {
  const own = strings(op[key]);
  const global = strings(doc[key]);
  return own.length ? own : global.length ? global : ['application/json'];
};

/** The `in: body` parameter, or the `in: formData` ones as the properties of a form or multipart body. */
export function swaggerBody(params: readonly JsonRecord[], op: JsonRecord, doc: JsonRecord): RequestBody | undefined {
  const body = params.find((p) => p.in === 'body');
  if (body) {
    const content: Record<string, unknown> = {};
    for (const t of mediaTypes(op, doc, 'consumes')) content[t] = body.schema;
    const description = str(body.description);
    return { required: body.required === true, ...(description && { description }), content };
  }
  const fields = params.filter((p) => p.in === 'formData' && typeof p.name === 'string' && p.name);
  if (!fields.length) return undefined;
  const properties: JsonRecord = {};
  const required: string[] = [];
  const encoding: Record<string, PropertyEncoding> = {};
  for (const p of fields) {
    const name = p.name as string;
    const description = str(p.description);
    properties[name] = { ...(p.type === 'file' ? { type: 'string', format: 'binary' } : keywords(p)), ...(description && { description }) };
    if (p.required === true) required.push(name);
    if (p.type === 'array') encoding[name] = COLLECTION_ENCODING[str(p.collectionFormat) ?? 'csv'] ?? { style: str(p.collectionFormat) };
  }
  const consumes = strings(op.consumes).length ? strings(op.consumes) : strings(doc.consumes);
  const types = consumes.filter((t) => /form/.test(t));
  const fallback = fields.some((p) => p.type === 'file') ? 'multipart/form-data' : 'application/x-www-form-urlencoded';
  const schema = { type: 'object', properties, ...(required.length && { required }) };
  const list = types.length ? types : [fallback];
  return {
    required: required.length > 0,
    content: Object.fromEntries(list.map((t) => [t, schema])),
    ...(Object.keys(encoding).length && { encoding: Object.fromEntries(list.map((t) => [t, encoding])) }),
  };
}

// Swagger's array formats as OpenAPI 3 encodings (tsv has none: it is reported)
const COLLECTION_ENCODING: Record<string, PropertyEncoding> = {
  multi: { style: 'form', explode: true },
  csv: { style: 'form', explode: false },
  ssv: { style: 'spaceDelimited', explode: false },
  pipes: { style: 'pipeDelimited', explode: false },
};

export function swaggerResponses(op: JsonRecord, doc: JsonRecord): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  const produces = mediaTypes(op, doc, 'produces');
  for (const [status, r] of Object.entries(record(op.responses))) {
    const schema = record(r).schema;
    out[status] = schema === undefined ? {} : Object.fromEntries(produces.map((t) => [t, schema]));
  }
  return out;
}

const FLOWS: Record<string, string> = {
  application: 'clientCredentials',
  accessCode: 'authorizationCode',
  implicit: 'implicit',
  password: 'password',
};

/** `securityDefinitions` as OpenAPI 3 security schemes. */
export function swaggerSecuritySchemes(doc: JsonRecord): JsonRecord {
  const out: JsonRecord = {};
  for (const [name, d] of Object.entries(record(doc.securityDefinitions))) {
    if (!isRecord(d)) continue;
    if (d.type === 'basic') out[name] = { type: 'http', scheme: 'basic' };
    else if (d.type === 'oauth2') {
      const flow = FLOWS[String(d.flow)] ?? String(d.flow);
      const { type: _t, flow: _f, ...rest } = d;
      out[name] = { type: 'oauth2', flows: { [flow]: rest } };
    } else out[name] = d;
  }
  return out;
}

/** `schemes[0]://host basePath`, or undefined without a host. */
export function swaggerServer(doc: JsonRecord): string | undefined {
  const host = str(doc.host);
  if (!host) return undefined;
  const schemes = strings(doc.schemes);
  const scheme = schemes.includes('https') ? 'https' : (schemes[0] ?? 'https');
  return `${scheme}://${host}${str(doc.basePath) ?? ''}`;
}
