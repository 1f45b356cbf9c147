// An OpenAPI / Swagger document -> one tool file (shared backend + a tool per operation) + warnings.
import { NexusError } from '../errors.ts';
import type { ToolDecl, ToolFile } from '../registry/schema.ts';
import { record, str } from '../util/json.ts';
import { type CredentialAuth, planAuth } from './auth.ts';
import { convertOperation } from './convert.ts';
import { createSelector } from './filter.ts';
import type { LoadedSpec } from './load.ts';
import { slug, toolName, uniqueNamer } from './naming.ts';
import { documentSecurity, readOperations, serverUrls } from './operations.ts';
import { createResolver } from './refs.ts';
import { swaggerSecuritySchemes, swaggerServer } from './swagger.ts';

export interface ImportOptions {
  /** Overrides the document's servers / host. */
  readonly baseUrl?: string;
  /** `tag:NAME` / `path:GLOB`, each possibly a comma list. */
  readonly include?: readonly string[];
  /** operationIds or tool names, each possibly a comma list. */
  readonly operations?: readonly string[];
  /** One credential name for every security scheme. */
  readonly auth?: string;
}

export interface ImportResult {
  readonly file: ToolFile & { tools: ToolDecl[] };
  /** File name stem: a slug of the API title. */
  readonly slug: string;
  readonly title: string;
  readonly apiVersion?: string;
  readonly warnings: readonly string[];
  readonly credentials: ReadonlyMap<string, CredentialAuth['type']>;
  /** Operations selected (by the filters) and read. */
  readonly operations: number;
  /** Why operations were skipped: short reason -> count, most frequent first. */
  readonly skipped: ReadonlyArray<readonly [reason: string, count: number]>;
}

const CREDENTIAL_NAME = /^[A-Za-z0-9_.:-]{1,128}$/;

export function importOpenApi(spec: LoadedSpec, opts: ImportOptions = {}): ImportResult {
  const info = record(spec.doc.info);
  const title = str(info.title) ?? 'API';
  const apiSlug = slug(title);
  if (opts.auth !== undefined && !CREDENTIAL_NAME.test(opts.auth)) {
    throw new NexusError('INVALID_INPUT', `--auth "${opts.auth}" is not a credential name (1-128 of A-Z a-z 0-9 _ . : -)`);
  }
  const baseUrl = resolveBaseUrl(spec, opts.baseUrl);
  const swagger = spec.version === '2.0';
  const resolver = createResolver(spec.doc);
  const schemes = swagger
    ? swaggerSecuritySchemes(spec.doc)
    : record(resolver.resolve(record(record(spec.doc.components).securitySchemes), []));
  const auth = planAuth({ schemes, security: documentSecurity(spec.doc), apiSlug, credential: opts.auth, baseUrl });
  const selector = createSelector(opts.include, opts.operations);
  const unique = uniqueNamer();
  const warnings: string[] = [...spec.warnings];
  const tools: ToolDecl[] = [];
  const skipped = new Map<string, number>();
  let selected = 0;
  for (const op of readOperations(spec, resolver)) {
    const base = toolName(op);
    if (!selector.selects(op, base)) continue;
    selected++;
    const converted = convertOperation(op, { name: unique(base), auth, baseUrl, def: resolver.def });
    warnings.push(...converted.warnings);
    if (converted.tool) tools.push(converted.tool);
    if (converted.skipped) skipped.set(converted.skipped, (skipped.get(converted.skipped) ?? 0) + 1);
  }
  warnings.push(...auth.warnings);
  for (const n of selector.unmatched()) warnings.push(`--operations: no operation named ${n}`);
  const webhooks = Object.keys(record(spec.doc.webhooks)).length;
  if (webhooks) warnings.push(`${webhooks} webhook(s) skipped: Nexus calls APIs, it does not receive their events`);
  // nothing selected is a filter mistake; everything skipped is a result the command reports (exit 1)
  if (!selected) throw new NexusError('INVALID_INPUT', `nothing to import from ${spec.source}: no operation matched`);
  const apiVersion = str(info.version);
  return {
    file: { backend: { base_url: baseUrl, ...(auth.fileAuth && { auth: auth.fileAuth }) }, tools },
    slug: apiSlug,
    title,
    ...(apiVersion && { apiVersion }),
    warnings: [...new Set(warnings)],
    credentials: auth.credentials,
    operations: selected,
    skipped: [...skipped].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])),
  };
}

/** `--base-url`, else the first server (or Swagger host + basePath), resolved against the spec's URL. */
function resolveBaseUrl(spec: LoadedSpec, override: string | undefined): string {
  const raw =
    override ?? (spec.version === '2.0' ? (swaggerServer(spec.doc) ?? str(spec.doc.basePath)) : serverUrls(spec.doc.servers)[0]) ?? '/';
  let url: URL;
  try {
    url = new URL(raw, spec.url);
  } catch {
    throw new NexusError('INVALID_INPUT', `${spec.source}: server URL "${raw}" is relative or invalid; pass --base-url`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new NexusError('INVALID_INPUT', `base URL "${raw}" must be http(s); pass --base-url`);
  }
  if (url.username || url.password)
    throw new NexusError('INVALID_INPUT', 'base URL must not carry credentials: store them with `nexus vault put`');
  if (url.search || url.hash) throw new NexusError('INVALID_INPUT', `base URL "${raw}" must not have a query or fragment`);
  return url.href.replace(/\/+$/, '');
}
