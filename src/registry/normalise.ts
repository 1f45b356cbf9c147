// One validated tool declaration + its file's backend -> ToolSpec, with the checks zod cannot express.
import { withProjection } from '../catalogue/shape.ts';
import { parseDuration } from '../util/duration.ts';
import { schemaProblems } from './arguments.ts';
import type { ToolDecl, ToolFile } from './schema.ts';
import type { BackendSpec, HttpToolSpec, JsonObject, RateLimitSpec } from './spec.ts';
import { bodyPlaceholders, placeholders } from './template.ts';
import type { PathPart } from './yaml-file.ts';

export const DEFAULT_TIMEOUT_MS = 30_000;

export interface NormaliseContext {
  readonly file: string;
  readonly line: number;
  readonly index: number;
  readonly maxResponseBytes: number;
  /** Compile argument schemas now (nexus check) rather than on first call. */
  readonly thorough: boolean;
  /** The schemas passed these checks before, in this very file (serve's start-up cache, load-cache.ts). */
  readonly schemasChecked?: boolean;
  readonly problem: (path: PathPart[], message: string) => void;
  /** Something `nexus check` reports without refusing the file. */
  readonly warning?: (path: PathPart[], message: string) => void;
  /** Shared by the tools of one file: most use the file's backend, so one URL and BackendSpec serve all. */
  readonly shared?: FileShared;
}

export interface FileShared {
  readonly urls: Map<string, URL>;
  fileBackend?: BackendSpec;
  /** schemaProblems by the schema's exact JSON: an imported API repeats schemas (GitHub: 1,844, 1,044 distinct). */
  readonly schemaProblems: Map<string, string[]>;
}
export const fileShared = (): FileShared => ({ urls: new Map(), schemaProblems: new Map() });

function checkSchema(schema: JsonObject, ctx: NormaliseContext): string[] {
  if (!ctx.shared) return schemaProblems(schema, ctx.thorough);
  // plain JSON is exact but for NaN and Infinity, written as null (and -0 as 0, which checks alike)
  const json = JSON.stringify(schema);
  // a second schema with the same $id is an error Ajv reports when it compiles: never skip that compile
  if (json.includes('"$id"') || (json.includes('null') && hasNonFinite(schema))) return schemaProblems(schema, ctx.thorough);
  let problems = ctx.shared.schemaProblems.get(json);
  if (!problems) ctx.shared.schemaProblems.set(json, (problems = schemaProblems(schema, ctx.thorough)));
  return problems;
}

/** A NaN or ±Infinity anywhere in a parsed value (iterative: a deep value cannot overflow the stack). */
function hasNonFinite(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return true;
    } else if (v !== null && typeof v === 'object') {
      for (const child of Object.values(v)) stack.push(child);
    }
  }
  return false;
}

type QueryDecl = NonNullable<ToolDecl['request']['query']>[string];
const queryValue = (v: QueryDecl) => (typeof v === 'object' ? v.value : v);

export const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
export const rate = (r?: { requests: number; per: string }): RateLimitSpec | undefined =>
  r ? { requests: r.requests, perMs: parseDuration(r.per)! } : undefined;

export function normaliseTool(decl: ToolDecl, file: ToolFile, ctx: NormaliseContext): HttpToolSpec | undefined {
  const at = (...p: PathPart[]): PathPart[] => ['tools', ctx.index, ...p];
  const b = { ...file.backend, ...decl.backend };
  const problemsBefore = { n: 0 };
  const problem = (path: PathPart[], msg: string) => {
    problemsBefore.n++;
    ctx.problem(path, msg);
  };

  let baseUrl: URL | undefined;
  if (!b.base_url) problem(at('backend', 'base_url'), 'no base_url: set backend.base_url in the file or on the tool');
  else if ((baseUrl = ctx.shared?.urls.get(b.base_url)) === undefined) {
    try {
      baseUrl = new URL(b.base_url);
      if (baseUrl.protocol !== 'http:' && baseUrl.protocol !== 'https:') throw new Error();
      if (baseUrl.search || baseUrl.hash) problem(at('backend', 'base_url'), 'base_url must not have a query or fragment');
      else ctx.shared?.urls.set(b.base_url, baseUrl);
    } catch {
      problem(decl.backend?.base_url ? at('backend', 'base_url') : ['backend', 'base_url'], `expected an http(s) URL, got "${b.base_url}"`);
    }
  }
  for (const [name, where] of [
    ...Object.keys(b.headers ?? {}).map((h) => [h, ['backend', 'headers', h]] as const),
    ...Object.keys(decl.request.headers ?? {}).map((h) => [h, at('request', 'headers', h)] as const),
  ]) {
    if (!HEADER_NAME.test(name)) problem([...where], `"${name}" is not a valid header name`);
  }

  const auth = decl.auth ?? b.auth;
  if (auth && 'env' in auth && auth.env !== undefined) {
    const where = decl.auth ? at('auth', 'env') : decl.backend?.auth ? at('backend', 'auth', 'env') : ['backend', 'auth', 'env'];
    problem(where, 'env is for stdio servers (command:); an HTTP backend gets its credential in a header or query');
  }

  const input: JsonObject = decl.input ?? { type: 'object', properties: {} };
  if (!ctx.schemasChecked) {
    for (const p of checkSchema(input, ctx)) problem(at('input'), `not a valid JSON Schema: ${p}`);
    // a documentation-only answer schema (output_check: warn: never listed, only compared with answers)
    // decides nothing: an unusable one is check's warning, and serve leaves it to the first answer, where
    // it is logged once; either way the tool is served and its answers pass unchecked
    const warnOnly = decl.output_check === 'warn';
    if (decl.output && (!warnOnly || ctx.thorough)) {
      for (const p of checkSchema(decl.output, ctx)) {
        if (!warnOnly) problem(at('output'), `not a valid JSON Schema: ${p}`);
        else
          ctx.warning?.(
            at('output'),
            `not a valid JSON Schema: ${p} (output_check: warn: the tool is served; its answers are not compared with it)`,
          );
      }
    }
  }

  const props = new Set(Object.keys((input.properties as JsonObject | undefined) ?? {}));
  const required = new Set((input.required as string[] | undefined) ?? []);
  const unknown = (names: Iterable<string>, path: PathPart[]) => {
    for (const n of names) if (!props.has(n)) problem(path, `placeholder {${n}} is not an argument in input.properties`);
  };
  for (const n of placeholders(decl.request.path)) {
    if (props.has(n) && !required.has(n)) problem(at('request', 'path'), `path placeholder {${n}} must be a required argument`);
  }
  unknown(placeholders(decl.request.path), at('request', 'path'));
  for (const [k, v] of Object.entries(decl.request.query ?? {})) unknown(placeholders(String(queryValue(v))), at('request', 'query', k));
  for (const [k, v] of Object.entries(decl.request.headers ?? {})) unknown(placeholders(v), at('request', 'headers', k));
  if (decl.request.body !== undefined) unknown(bodyPlaceholders(decl.request.body), at('request', 'body'));
  // fetch refuses a GET with a body; every other method may carry one (DELETE included)
  if (decl.request.body !== undefined && decl.request.method === 'GET') problem(at('request', 'body'), 'a GET request cannot have a body');
  const encoding = decl.request.encoding ?? 'json';
  if (decl.request.body_styles && encoding === 'json') {
    problem(at('request', 'body_styles'), 'body_styles needs encoding: form or multipart (a JSON body has no styles)');
  }
  const body = decl.request.body;
  const oneArgument = typeof body === 'string' && /^\{[A-Za-z0-9_.-]+\}$/.test(body);
  if (encoding !== 'json' && body !== undefined && !oneArgument && (typeof body !== 'object' || body === null || Array.isArray(body))) {
    problem(at('request', 'body'), `a ${encoding} body must be an object (or one "{arg}" holding one)`);
  }
  if (problemsBefore.n || !baseUrl) return undefined;
  const spec = buildSpec(decl, b, baseUrl, input, ctx);
  if (!decl.response) return spec;
  try {
    return withProjection(spec, decl.response);
  } catch (e) {
    problem(at('response', 'select'), (e as Error).message);
    return undefined;
  }
}

function buildSpec(
  decl: ToolDecl,
  b: NonNullable<ToolFile['backend']>,
  baseUrl: URL,
  input: JsonObject,
  ctx: NormaliseContext,
): HttpToolSpec {
  const auth = decl.auth ?? b.auth;
  const styles = Object.entries(decl.request.query ?? {}).flatMap(([k, v]) =>
    typeof v === 'object' && v.style !== 'repeat' ? [[k, v.style] as const] : [],
  );
  const shared = decl.backend === undefined ? ctx.shared : undefined;
  const backend = shared ? (shared.fileBackend ??= backendSpec(b, baseUrl, ctx)) : backendSpec(b, baseUrl, ctx);
  return {
    kind: 'http',
    name: decl.name,
    ...(decl.title !== undefined && { title: decl.title }),
    description: decl.description.trim(),
    inputSchema: input,
    ...(decl.output && (decl.output_check === 'warn' ? { answerSchema: decl.output, outputCheck: 'warn' } : { outputSchema: decl.output })),
    ...(decl.annotations && { annotations: decl.annotations }),
    ...(decl.meta && { meta: decl.meta }),
    request: {
      method: decl.request.method,
      path: decl.request.path,
      query: Object.fromEntries(Object.entries(decl.request.query ?? {}).map(([k, v]) => [k, queryValue(v)])),
      ...(styles.length && { queryStyles: Object.fromEntries(styles) }),
      headers: decl.request.headers ?? {},
      ...(decl.request.body !== undefined && { body: decl.request.body }),
      ...(decl.request.encoding && decl.request.encoding !== 'json' && { encoding: decl.request.encoding }),
      ...(decl.request.body_styles && { bodyStyles: decl.request.body_styles }),
    },
    backend,
    ...(auth && auth.type !== 'none' && { auth }),
    ...(decl.rate_limit && { rateLimit: rate(decl.rate_limit) }),
    ...(decl.cache && {
      cache: {
        ttlMs: parseDuration(decl.cache.ttl)!,
        allowWriteMethods: decl.cache.allow_write_methods ?? false,
        ...(decl.cache.max_entry_bytes && { maxEntryBytes: decl.cache.max_entry_bytes }),
      },
    }),
    auditArguments: decl.audit_arguments ?? false,
    idempotent: decl.idempotent ?? decl.request.method === 'GET',
    source: { file: ctx.file, line: ctx.line },
  };
}

function backendSpec(b: NonNullable<ToolFile['backend']>, baseUrl: URL, ctx: NormaliseContext): BackendSpec {
  return {
    id: `${baseUrl.origin}${baseUrl.pathname.replace(/\/$/, '')}`,
    baseUrl,
    timeoutMs: b.timeout ? parseDuration(b.timeout)! : DEFAULT_TIMEOUT_MS,
    headers: b.headers ?? {},
    maxResponseBytes: b.max_response_bytes ?? ctx.maxResponseBytes,
    ...(b.rate_limit && { rateLimit: rate(b.rate_limit) }),
    ...(b.proxy && { proxy: b.proxy }),
    ...(b.max_concurrency && { maxConcurrency: b.max_concurrency }),
    ...(b.tls && {
      tls: { caFile: b.tls.ca_file, certFile: b.tls.cert_file, keyFile: b.tls.key_file, insecure: b.tls.insecure },
    }),
  };
}
