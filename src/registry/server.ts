// One validated `servers:` entry -> ServerSpec, with the checks zod cannot express (URL, header names).
import { parseDuration } from '../util/duration.ts';
import { DEFAULT_TIMEOUT_MS, HEADER_NAME, rate } from './normalise.ts';
import type { ServerDecl, UpstreamToolPolicy } from './schema.ts';
import type { BackendSpec, ServerSpec, ServerTransport, UpstreamToolPolicySpec } from './spec.ts';
import type { PathPart } from './yaml-file.ts';

export const DEFAULT_REFRESH_MS = 5 * 60_000;

export interface ServerContext {
  readonly file: string;
  readonly line: number;
  readonly index: number;
  readonly maxResponseBytes: number;
  readonly problem: (path: PathPart[], message: string) => void;
}

function policy(p: UpstreamToolPolicy): UpstreamToolPolicySpec {
  return {
    ...(p.description !== undefined && { description: p.description.trim() }),
    ...(p.title !== undefined && { title: p.title }),
    ...(p.hide !== undefined && { hide: p.hide }),
    ...(p.cache && {
      cache: {
        ttlMs: parseDuration(p.cache.ttl)!,
        allowWriteMethods: true,
        ...(p.cache.max_entry_bytes && { maxEntryBytes: p.cache.max_entry_bytes }),
      },
    }),
    ...(p.rate_limit && { rateLimit: rate(p.rate_limit) }),
    ...(p.audit_arguments !== undefined && { auditArguments: p.audit_arguments }),
  };
}

export function normaliseServer(decl: ServerDecl, ctx: ServerContext): ServerSpec | undefined {
  const at = (...p: PathPart[]): PathPart[] => ['servers', ctx.index, ...p];
  let ok = true;
  const problem = (path: PathPart[], msg: string) => {
    ok = false;
    ctx.problem(path, msg);
  };
  let transport: ServerTransport | undefined;
  let baseUrl: URL;
  if (decl.url !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(decl.url);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error();
      if (url.hash) problem(at('url'), 'url must not have a fragment');
    } catch {
      problem(at('url'), `expected an http(s) URL, got "${decl.url}"`);
    }
    baseUrl = url ?? new URL('http://invalid');
    transport = { kind: 'http', url: baseUrl, protocol: decl.protocol ?? 'auto' };
  } else {
    baseUrl = new URL(`stdio://${decl.name}`);
    transport = {
      kind: 'stdio',
      command: decl.command!,
      args: decl.args ?? [],
      env: decl.env ?? {},
      ...(decl.cwd !== undefined && { cwd: decl.cwd }),
    };
  }
  for (const h of Object.keys(decl.headers ?? {})) if (!HEADER_NAME.test(h)) problem(at('headers', h), `"${h}" is not a valid header name`);
  const auth = decl.auth && decl.auth.type !== 'none' ? decl.auth : undefined;
  const envName = auth && 'env' in auth ? auth.env : undefined;
  if (auth && transport.kind === 'http' && envName !== undefined)
    problem(at('auth', 'env'), 'env is for stdio servers (command:); a remote server gets its credential in a header or query');
  if (auth && transport.kind === 'stdio' && envName === undefined)
    problem(
      at('auth'),
      auth.type === 'bearer' || auth.type === 'api_key'
        ? 'a stdio server gets its credential in its environment: add env: NAME (e.g. env: GITHUB_TOKEN)'
        : `${auth.type} auth cannot be given to a stdio server: store the secret as bearer or api_key and set env: NAME`,
    );
  if (!ok) return undefined;
  const backend: BackendSpec = {
    id: `mcp:${decl.name}`,
    baseUrl,
    timeoutMs: decl.timeout ? parseDuration(decl.timeout)! : DEFAULT_TIMEOUT_MS,
    headers: decl.headers ?? {},
    maxResponseBytes: decl.max_response_bytes ?? ctx.maxResponseBytes,
    ...(decl.rate_limit && { rateLimit: rate(decl.rate_limit) }),
    ...(decl.proxy && { proxy: decl.proxy }),
    ...(decl.tls && {
      tls: { caFile: decl.tls.ca_file, certFile: decl.tls.cert_file, keyFile: decl.tls.key_file, insecure: decl.tls.insecure },
    }),
  };
  return {
    name: decl.name,
    prefix: decl.prefix ?? decl.name,
    transport,
    backend,
    ...(auth && { auth }),
    refreshMs: decl.refresh ? parseDuration(decl.refresh)! : DEFAULT_REFRESH_MS,
    ...(decl.include && { include: decl.include }),
    ...(decl.exclude && { exclude: decl.exclude }),
    policies: Object.entries(decl.tools ?? {}).map(([pattern, p]) => ({ pattern, policy: policy(p) })),
    ...(decl.roots && { roots: decl.roots }),
    ...(decl.resource_prefix && { resourcePrefix: decl.resource_prefix }),
    source: { file: ctx.file, line: ctx.line },
  };
}
