// Parameters + JSON request body -> the tool's input schema and the request mapping that uses it.
import type { HttpMethod } from '../registry/schema.ts';
import { isRecord, type JsonRecord } from '../util/json.ts';
import { droppedPatterns, withDefs } from './defs.ts';
import { argName } from './naming.ts';
import { isObjectSchema, type JsonSchema, leadingKeys, toJsonSchema } from './schema.ts';
import type { Operation, Parameter } from './types.ts';

export interface RequestDecl {
  readonly method: HttpMethod;
  readonly path: string;
  readonly query?: Record<string, string>;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
}

export type InputPlan =
  | { readonly ok: true; readonly input: JsonRecord; readonly request: RequestDecl; readonly warnings: string[] }
  | { readonly ok: false; readonly reason: string; readonly warnings: string[] };

// OpenAPI says these header parameters are ignored: the gateway and the auth block set them.
const IGNORED_HEADERS = new Set(['accept', 'content-type', 'authorization']);

export const isJsonMediaType = (t: string): boolean => /^application\/([\w.+-]+\+)?json(\s*;|$)/i.test(t.trim());

const hasType = (s: JsonSchema, t: string): boolean => isRecord(s) && (s.type === t || (Array.isArray(s.type) && s.type.includes(t)));

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function parameterSchema(p: Parameter, dropped: string[]): { schema: JsonSchema } | { problem: string } {
  if (p.in === 'cookie') return { problem: `cookie parameter "${p.name}" is not supported` };
  if (p.in === 'header' && !HEADER_NAME.test(p.name)) return { problem: `header parameter "${p.name}" is not a valid header name` };
  if (p.schema === undefined && p.content) {
    const json = Object.keys(p.content).find(isJsonMediaType);
    if (!json) return { problem: `parameter "${p.name}" has content ${Object.keys(p.content).join(', ')} (only JSON is supported)` };
    return { schema: toJsonSchema((p.content[json] as JsonRecord | undefined)?.schema ?? {}, 'input', dropped) };
  }
  const schema = toJsonSchema(p.schema ?? { type: 'string' }, 'input', dropped);
  if (hasType(schema, 'object'))
    return { problem: `${p.in} parameter "${p.name}" is an object, which Nexus cannot serialise in the ${p.in}` };
  if (hasType(schema, 'array')) {
    const repeated =
      p.collectionFormat !== undefined ? p.collectionFormat === 'multi' : (p.style ?? 'form') === 'form' && p.explode !== false;
    if (p.in !== 'query' || !repeated) {
      const style =
        p.collectionFormat ?? `${p.style ?? (p.in === 'query' ? 'form' : 'simple')}${p.explode === false ? ', explode: false' : ''}`;
      return { problem: `${p.in} parameter "${p.name}" is an array serialised as ${style} (Nexus sends repeated query parameters only)` };
    }
  }
  return { schema };
}

function describe(schema: JsonSchema, description: string | undefined): JsonSchema {
  if (!isRecord(schema) || !description) return schema;
  return leadingKeys({ ...schema, description });
}

export function planInput(op: Operation, method: HttpMethod, def: (name: string) => unknown = () => undefined): InputPlan {
  const warnings: string[] = [];
  const dropped: string[] = [];
  const fail = (reason: string): InputPlan => ({ ok: false, reason, warnings });
  const properties: JsonRecord = {};
  const required: string[] = [];
  const query: Record<string, string> = {};
  const headers: Record<string, string> = {};
  const pathArgs = new Map<string, string>(); // name in the path template -> argument name
  const claim = (name: string, where: string): string => {
    let n = argName(name);
    if (n in properties) n = `${n}_${where}`;
    for (let i = 2; n in properties; i++) n = `${argName(name)}_${where}_${i}`;
    return n;
  };

  for (const p of op.parameters) {
    if (p.in === 'header' && IGNORED_HEADERS.has(p.name.toLowerCase())) continue;
    const read = parameterSchema(p, dropped);
    if ('problem' in read) {
      if (p.required) return fail(`required ${read.problem}`);
      warnings.push(`${read.problem}; parameter skipped`);
      continue;
    }
    const arg = claim(p.name, p.in);
    properties[arg] = describe(read.schema, p.description);
    if (p.required) required.push(arg);
    if (p.in === 'path') pathArgs.set(p.name, arg);
    else if (p.in === 'query') query[p.name] = `{${arg}}`;
    else headers[p.name] = `{${arg}}`;
  }
  const path = op.path.replace(/\{([^}]+)\}/g, (_m, name: string) => {
    if (!pathArgs.has(name)) {
      const arg = claim(name, 'path');
      warnings.push(`path parameter "${name}" is not declared; added as a required string`);
      properties[arg] = { type: 'string' };
      required.push(arg);
      pathArgs.set(name, arg);
    }
    return `{${pathArgs.get(name)}}`;
  });

  let body: unknown;
  let additional: unknown = false;
  if (op.body) {
    const types = Object.keys(op.body.content);
    const json = types.find(isJsonMediaType);
    if (!json) return fail(`request body ${types.join(', ') || '(no media type)'} is not supported (only JSON)`);
    if (method === 'GET' || method === 'DELETE') return fail(`a ${method} request with a body is not supported`);
    const schema = toJsonSchema(op.body.content[json] ?? {}, 'input', dropped);
    const props = isObjectSchema(schema) && isRecord(schema.properties) ? schema.properties : undefined;
    if (props && !Object.keys(props).some((k) => k in properties)) {
      Object.assign(properties, props);
      for (const r of ((schema as JsonRecord).required as string[] | undefined) ?? []) if (r in props) required.push(r);
      additional = (schema as JsonRecord).additionalProperties; // unused arguments become the body
    } else {
      const arg = claim('body', 'json');
      properties[arg] = describe(schema, op.body.description);
      if (op.body.required) required.push(arg);
      body = `{${arg}}`;
    }
  }
  const input: JsonRecord = withDefs(
    {
      type: 'object',
      properties,
      ...(required.length && { required: [...new Set(required)] }),
      ...(additional !== undefined && { additionalProperties: additional }),
    },
    def,
    'input',
    dropped,
  );
  if (dropped.length) warnings.push(droppedPatterns(dropped));
  const request: RequestDecl = {
    method,
    path,
    ...(Object.keys(query).length && { query }),
    ...(Object.keys(headers).length && { headers }),
    ...(body !== undefined && { body }),
  };
  return { ok: true, input, request, warnings };
}
