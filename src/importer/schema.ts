// OpenAPI Schema Objects (Swagger 2.0 / OpenAPI 3.0 / 3.1) -> plain JSON Schema 2020-12 for tool files.
import { SCHEMA_LISTS, SCHEMA_MAPS, SCHEMA_ONE, translatePattern } from '../registry/patterns.ts';
import { isRecord, type JsonRecord } from '../util/json.ts';

/** `input`: readOnly properties are dropped (a client never sends them); `output`: writeOnly ones. */
export type SchemaMode = 'input' | 'output';

export type JsonSchema = JsonRecord | boolean;

// JSON Schema's own formats; OpenAPI's (int64, float, binary, ...) would trip strict validators.
const FORMATS = new Set([
  'date-time',
  'date',
  'time',
  'duration',
  'email',
  'idn-email',
  'hostname',
  'idn-hostname',
  'ipv4',
  'ipv6',
  'uri',
  'uri-reference',
  'iri',
  'iri-reference',
  'uuid',
  'uri-template',
  'json-pointer',
  'relative-json-pointer',
  'regex',
]);
const DROPPED = new Set(['discriminator', 'xml', 'externalDocs', 'example', 'nullable', 'x-nullable']);
// annotations that mean nothing in one direction (and examples, which only help whoever writes arguments)
const DROPPED_IN: Record<SchemaMode, Set<string>> = {
  input: new Set(['writeOnly']),
  output: new Set(['readOnly', 'examples']),
};
const MAPS = new Set(SCHEMA_MAPS);
const LISTS = new Set(SCHEMA_LISTS);
const ONE = new Set(SCHEMA_ONE);

/** `dropped` collects the patterns JavaScript cannot compile (left out, so every client accepts the schema). */
export function toJsonSchema(schema: unknown, mode: SchemaMode, dropped?: string[]): JsonSchema {
  if (typeof schema === 'boolean') return schema;
  if (!isRecord(schema)) return {};
  const out: JsonRecord = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k.startsWith('x-') || DROPPED.has(k) || DROPPED_IN[mode].has(k)) continue;
    if (k === 'properties' && isRecord(v)) out[k] = mapValues(v, (s) => objectSchema(toJsonSchema(s, mode, dropped)));
    else if (MAPS.has(k) && isRecord(v)) out[k] = mapValues(v, (s) => toJsonSchema(s, mode, dropped));
    else if (k === 'type') {
      const type = validType(v);
      if (type !== undefined) out[k] = type;
    } else if (LISTS.has(k) && Array.isArray(v)) out[k] = v.map((s) => toJsonSchema(s, mode, dropped));
    else if (k === 'items' && Array.isArray(v)) out.prefixItems = v.map((s) => toJsonSchema(s, mode, dropped));
    else if (ONE.has(k) && (isRecord(v) || typeof v === 'boolean')) out[k] = toJsonSchema(v, mode, dropped);
    else if (k === 'pattern' && typeof v === 'string') {
      const js = translatePattern(v);
      if (js !== undefined) out[k] = js;
      else dropped?.push(v);
    } else if (k === 'format') {
      if (typeof v === 'string' && FORMATS.has(v)) out[k] = v;
    } else if ((k === 'exclusiveMinimum' || k === 'exclusiveMaximum') && typeof v === 'boolean') {
      const bound = k === 'exclusiveMinimum' ? 'minimum' : 'maximum';
      if (v && typeof schema[bound] === 'number') out[k] = schema[bound];
    } else out[k] = v;
  }
  for (const k of ['exclusiveMinimum', 'exclusiveMaximum'] as const) {
    const bound = k === 'exclusiveMinimum' ? 'minimum' : 'maximum';
    if (schema[k] === true && typeof schema[bound] === 'number') delete out[bound];
  }
  if (mode === 'input' && schema.example !== undefined && out.examples === undefined) out.examples = [schema.example];
  if (schema.nullable === true || schema['x-nullable'] === true) addNull(out);
  pruneDirection(out, mode);
  return flattenAllOf(leadingKeys(out));
}

const TYPES = new Set(['string', 'number', 'integer', 'boolean', 'object', 'array', 'null']);

/** A `type` JSON Schema allows, or undefined (Codat's `type: { type: string, ... }` accepts any value). */
function validType(v: unknown): unknown {
  if (typeof v === 'string') return TYPES.has(v) ? v : undefined;
  if (!Array.isArray(v)) return undefined;
  const types = v.filter((t) => typeof t === 'string' && TYPES.has(t));
  return types.length ? types : undefined;
}

/** A property's schema as an object: SDK v1 clients refuse `true` / `false` there. */
const objectSchema = (s: JsonSchema): JsonRecord => (s === true ? {} : s === false ? { not: {} } : s);

/** `type`, `title`, `description` first: how people write (and read) schemas. */
export function leadingKeys(s: JsonRecord): JsonRecord {
  const { type, title, description, ...rest } = s;
  return {
    ...(type !== undefined && { type }),
    ...(title !== undefined && { title }),
    ...(description !== undefined && { description }),
    ...rest,
  };
}

function mapValues(v: JsonRecord, f: (x: unknown) => unknown): JsonRecord {
  const out: JsonRecord = {};
  for (const [k, x] of Object.entries(v)) out[k] = f(x);
  return out;
}

function addNull(s: JsonRecord): void {
  if (typeof s.type === 'string') s.type = [s.type, 'null'];
  else if (Array.isArray(s.type) && !s.type.includes('null')) s.type = [...s.type, 'null'];
  if (Array.isArray(s.enum) && !s.enum.includes(null)) s.enum = [...s.enum, null];
}

function pruneDirection(s: JsonRecord, mode: SchemaMode): void {
  if (!isRecord(s.properties)) return;
  const hidden = mode === 'input' ? 'readOnly' : 'writeOnly';
  const drop = Object.entries(s.properties)
    .filter(([, p]) => isRecord(p) && p[hidden] === true)
    .map(([k]) => k);
  if (!drop.length) return;
  s.properties = Object.fromEntries(Object.entries(s.properties).filter(([k]) => !drop.includes(k)));
  if (Array.isArray(s.required)) {
    s.required = s.required.filter((r) => !drop.includes(r as string));
    if (!(s.required as unknown[]).length) delete s.required;
  }
}

const MERGEABLE = new Set(['type', 'properties', 'required', 'description', 'title']);

/** `allOf` of plain object schemas (the usual composition) becomes one object schema. */
function flattenAllOf(s: JsonRecord): JsonSchema {
  const parts = s.allOf;
  if (!Array.isArray(parts) || !parts.length) return s;
  const { allOf: _, ...outer } = s;
  const all = [outer, ...parts];
  const plain = all.every(
    (p) => isRecord(p) && Object.keys(p).every((k) => MERGEABLE.has(k)) && (p.type === undefined || p.type === 'object'),
  );
  if (!plain) return s;
  const properties: JsonRecord = {};
  const required = new Set<string>();
  for (const p of all as JsonRecord[]) {
    for (const [k, v] of Object.entries((p.properties as JsonRecord | undefined) ?? {})) {
      if (k in properties && JSON.stringify(properties[k]) !== JSON.stringify(v)) return s;
      properties[k] = v;
    }
    for (const r of (p.required as string[] | undefined) ?? []) required.add(r);
  }
  return {
    type: 'object',
    ...(typeof outer.title === 'string' && { title: outer.title }),
    ...(typeof outer.description === 'string' && { description: outer.description }),
    properties,
    ...(required.size && { required: [...required] }),
  };
}

/** True for a schema whose arguments are named properties (so they can sit beside parameters). */
export function isObjectSchema(s: JsonSchema): s is JsonRecord {
  if (!isRecord(s)) return false;
  const composed = ['allOf', 'anyOf', 'oneOf', 'not', 'if', 'patternProperties'].some((k) => k in s);
  return !composed && (s.type === 'object' || (s.type === undefined && isRecord(s.properties)));
}
