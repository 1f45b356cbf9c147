// Swagger 2.0 specifics, read into the OpenAPI 3 shapes the rest of the importer uses.
import { isRecord, type JsonRecord, record, str, strings } from '../util/json.ts';
import type { Parameter, RequestBody } from './types.ts';

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

export function swaggerParameter(p: JsonRecord): Parameter | undefined {
  const name = typeof p.name === 'string' && p.name ? p.name : undefined;
  const where = p.in;
  if (!name || (where !== 'path' && where !== 'query' && where !== 'header')) return undefined;
  const schema: JsonRecord = {};
  for (const k of SCHEMA_KEYS) if (p[k] !== undefined) schema[k] = p[k];
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

/** The `in: body` parameter, or `in: formData` ones (reported later as a non-JSON body). */
export function swaggerBody(params: readonly JsonRecord[], op: JsonRecord, doc: JsonRecord): RequestBody | undefined {
  const body = params.find((p) => p.in === 'body');
  if (body) {
    const content: Record<string, unknown> = {};
    for (const t of mediaTypes(op, doc, 'consumes')) content[t] = body.schema;
    const description = str(body.description);
    return { required: body.required === true, ...(description && { description }), content };
  }
  if (!params.some((p) => p.in === 'formData')) return undefined;
  const consumes = strings(op.consumes).length ? strings(op.consumes) : strings(doc.consumes);
  const types = consumes.filter((t) => /form/.test(t));
  return {
    required: true,
    content: Object.fromEntries((types.length ? types : ['application/x-www-form-urlencoded']).map((t) => [t, undefined])),
  };
}

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
