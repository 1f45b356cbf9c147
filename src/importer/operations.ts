// The operations of a document, read from OpenAPI 3.x or Swagger 2.0 into one shape, refs resolved.
import { isRecord, type JsonRecord, record, str, strings } from '../util/json.ts';
import type { LoadedSpec } from './load.ts';
import { createResolver, pointer, type RefIssue, type Resolver } from './refs.ts';
import { swaggerBody, swaggerParameter, swaggerResponses } from './swagger.ts';
import type { Operation, Parameter, PropertyEncoding, RequestBody, SecurityRequirement } from './types.ts';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

export function readOperations(spec: LoadedSpec, resolver: Resolver = createResolver(spec.doc)): Operation[] {
  const swagger = spec.version === '2.0';
  const ops: Operation[] = [];
  for (const [path, rawItem] of Object.entries(record(spec.doc.paths))) {
    // a path item may itself be a $ref; each operation is resolved on its own so issues name it
    const item = record(typeof record(rawItem).$ref === 'string' ? pointer(spec.doc, record(rawItem).$ref as string) : rawItem);
    for (const method of METHODS) {
      if (!isRecord(item[method])) continue;
      const issues: RefIssue[] = [];
      const op = record(resolver.resolve(item[method], issues));
      const params = mergeParameters(resolver.resolve(item.parameters, issues), op.parameters);
      const operationId = str(op.operationId);
      const label = operationId ?? `${method.toUpperCase()} ${path}`;
      const readParam = swagger ? swaggerParameter : oasParameter;
      const parameters: Parameter[] = [];
      let broken: string | undefined;
      for (const p of params.filter((p) => !swagger || (p.in !== 'body' && p.in !== 'formData'))) {
        const read = readParam(p);
        if (read) parameters.push(read);
        else broken ??= `parameter ${JSON.stringify(p.name ?? '?')} has no usable name/location`;
      }
      const body = swagger ? swaggerBody(params, op, spec.doc) : oasBody(op.requestBody);
      ops.push({
        method: method.toUpperCase(),
        path,
        label,
        ...(operationId && { operationId }),
        ...optional('summary', str(op.summary)),
        ...optional('description', str(op.description)),
        deprecated: op.deprecated === true,
        tags: strings(op.tags),
        parameters,
        ...(body && { body }),
        responses: swagger ? swaggerResponses(op, spec.doc) : oasResponses(op.responses),
        ...(Array.isArray(op.security) && { security: op.security.map(requirement) }),
        servers: swagger ? [] : serverUrls(Array.isArray(op.servers) ? op.servers : item.servers),
        hasCallbacks: isRecord(op.callbacks) && Object.keys(op.callbacks).length > 0,
        refIssues: issues,
        ...(broken && { broken }),
      });
    }
  }
  return ops;
}

const optional = <K extends string>(k: K, v: string | undefined) => (v === undefined ? {} : ({ [k]: v } as Record<K, string>));

/** Operation parameters override path-item ones with the same name and location. */
function mergeParameters(itemParams: unknown, opParams: unknown): JsonRecord[] {
  const all = [...(Array.isArray(itemParams) ? itemParams : []), ...(Array.isArray(opParams) ? opParams : [])].filter(isRecord);
  const byKey = new Map<string, JsonRecord>();
  for (const p of all) byKey.set(`${String(p.in)}:${String(p.name)}`, p);
  return [...byKey.values()];
}

function oasParameter(p: JsonRecord): Parameter | undefined {
  const name = typeof p.name === 'string' && p.name ? p.name : undefined;
  const where = p.in;
  if (!name || (where !== 'path' && where !== 'query' && where !== 'header' && where !== 'cookie')) return undefined;
  return {
    name,
    in: where,
    required: p.required === true || where === 'path',
    ...optional('description', str(p.description)),
    ...(p.schema !== undefined && { schema: p.schema }),
    ...(isRecord(p.content) && { content: p.content }),
    ...optional('style', str(p.style)),
    ...(typeof p.explode === 'boolean' && { explode: p.explode }),
  };
}

function oasBody(raw: unknown): RequestBody | undefined {
  if (!isRecord(raw) || !isRecord(raw.content)) return undefined;
  const content: Record<string, unknown> = {};
  const encoding: Record<string, Record<string, PropertyEncoding>> = {};
  for (const [type, media] of Object.entries(raw.content)) {
    content[type] = record(media).schema;
    const entries = Object.entries(record(record(media).encoding)).filter(([, e]) => isRecord(e));
    if (entries.length) encoding[type] = Object.fromEntries(entries.map(([k, e]) => [k, propertyEncoding(record(e))]));
  }
  return {
    required: raw.required === true,
    ...optional('description', str(raw.description)),
    content,
    ...(Object.keys(encoding).length && { encoding }),
  };
}

const propertyEncoding = (e: JsonRecord): PropertyEncoding => ({
  ...optional('style', str(e.style)),
  ...(typeof e.explode === 'boolean' && { explode: e.explode }),
  ...optional('contentType', str(e.contentType)),
});

function oasResponses(raw: unknown): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [status, r] of Object.entries(record(raw))) {
    out[status] = {};
    for (const [type, media] of Object.entries(record(record(r).content))) out[status][type] = record(media).schema;
  }
  return out;
}

function requirement(raw: unknown): SecurityRequirement {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(record(raw))) out[k] = strings(v);
  return out;
}

/** Server URLs with their variables filled with the defaults. */
export function serverUrls(servers: unknown): string[] {
  if (!Array.isArray(servers)) return [];
  return servers.filter(isRecord).flatMap((s) => {
    if (typeof s.url !== 'string') return [];
    const vars = record(s.variables);
    return [
      s.url.replace(/\{([^}]+)\}/g, (m, name: string) => {
        const d = record(vars[name]).default;
        return typeof d === 'string' ? d : m;
      }),
    ];
  });
}

export const documentSecurity = (doc: JsonRecord): SecurityRequirement[] | undefined =>
  Array.isArray(doc.security) ? doc.security.map(requirement) : undefined;
