// Parameters + request body -> the tool's input schema and the request mapping that uses it.
import type { HttpMethod, ValueStyle } from '../registry/spec.ts';
import { isRecord, type JsonRecord } from '../util/json.ts';
import { isJsonMediaType, planBody } from './body.ts';
import { droppedPatterns, withDefs } from './defs.ts';
import { argName } from './naming.ts';
import { isObjectSchema, type JsonSchema, leadingKeys, toJsonSchema } from './schema.ts';
import { queryStyle, simpleStyleProblem, valueShape } from './styles.ts';
import type { Operation, Parameter } from './types.ts';

export interface RequestDecl {
  readonly method: HttpMethod;
  readonly path: string;
  readonly query?: Record<string, string | { value: string; style: ValueStyle }>;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
  readonly encoding?: 'form' | 'multipart';
  readonly body_styles?: Record<string, ValueStyle>;
}

export type InputPlan =
  | { readonly ok: true; readonly input: JsonRecord; readonly request: RequestDecl; readonly warnings: string[] }
  | { readonly ok: false; readonly reason: string; readonly kind: string; readonly warnings: string[] };

// OpenAPI says these header parameters are ignored: the gateway and the auth block set them.
const IGNORED_HEADERS = new Set(['accept', 'content-type', 'authorization']);

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const PLACEHOLDER_NAME = /^[A-Za-z0-9_.-]+$/;

function parameterSchema(p: Parameter, dropped: string[]): { schema: JsonSchema; style?: ValueStyle } | { problem: string } {
  if (p.in === 'cookie') return { problem: `cookie parameter "${p.name}" is not supported` };
  if (p.in === 'header' && !HEADER_NAME.test(p.name)) return { problem: `header parameter "${p.name}" is not a valid header name` };
  if (p.schema === undefined && p.content) {
    const json = Object.keys(p.content).find(isJsonMediaType);
    if (!json) return { problem: `parameter "${p.name}" has content ${Object.keys(p.content).join(', ')} (only JSON is supported)` };
    return { schema: toJsonSchema((p.content[json] as JsonRecord | undefined)?.schema ?? {}, 'input', dropped) };
  }
  const schema = toJsonSchema(p.schema ?? { type: 'string' }, 'input', dropped);
  const shape = valueShape(schema);
  if (p.in !== 'query') {
    const problem = simpleStyleProblem(p, shape);
    return problem ? { problem } : { schema };
  }
  const r = queryStyle(p, shape);
  return 'problem' in r ? r : { schema, ...r };
}

function describe(schema: JsonSchema, description: string | undefined): JsonSchema {
  if (!isRecord(schema) || !description) return schema;
  return leadingKeys({ ...schema, description });
}

export function planInput(op: Operation, method: HttpMethod, def: (name: string) => unknown = () => undefined): InputPlan {
  const warnings: string[] = [];
  const dropped: string[] = [];
  const fail = (reason: string, kind = 'required parameter Nexus cannot send'): InputPlan => ({ ok: false, reason, kind, warnings });
  const properties: JsonRecord = {};
  const required: string[] = [];
  const query: NonNullable<Mutable<RequestDecl>['query']> = {};
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
    else if (p.in === 'query') query[p.name] = read.style ? { value: `{${arg}}`, style: read.style } : `{${arg}}`;
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
  let encoded: Pick<RequestDecl, 'encoding' | 'body_styles'> = {};
  const chosen = op.body ? planBody(op, method, dropped) : undefined;
  if (chosen) warnings.push(...chosen.warnings);
  if (chosen && !chosen.ok) return fail(chosen.reason, chosen.kind);
  const plan = chosen?.ok ? chosen.plan : undefined;
  if (plan) {
    const { schema } = plan;
    encoded = { ...(plan.encoding && { encoding: plan.encoding }), ...(plan.bodyStyles && { body_styles: plan.bodyStyles }) };
    const props = isObjectSchema(schema) && isRecord(schema.properties) ? schema.properties : undefined;
    const names = props ? Object.keys(props) : [];
    // a DELETE sends only its body template: fields become placeholders, so they must be usable as names
    const mergeable = props && !names.some((k) => k in properties) && (method !== 'DELETE' || names.every((k) => PLACEHOLDER_NAME.test(k)));
    if (mergeable) {
      Object.assign(properties, props);
      for (const r of ((schema as JsonRecord).required as string[] | undefined) ?? []) if (r in props) required.push(r);
      if (method === 'DELETE') body = Object.fromEntries(names.map((k) => [k, `{${k}}`]));
      else additional = (schema as JsonRecord).additionalProperties; // unused arguments become the body
    } else {
      const arg = claim('body', 'json');
      properties[arg] = describe(schema, op.body!.description);
      if (op.body!.required) required.push(arg);
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
    ...encoded,
  };
  return { ok: true, input, request, warnings };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
