// The composition root: the one place that wires modules together. Edges and core never import each
// other's implementations; they meet here.
import { type AnyElysia, Elysia } from 'elysia';
import { hashArguments } from './audit/record.ts';
import { canUse } from './auth/access.ts';
import { assertBindPolicy, createAuthenticator } from './auth/authenticate.ts';
import { createToolResponses } from './cache/responses.ts';
import { type CallPipeline, createCallPipeline } from './call/pipeline.ts';
import type { AuditEntry } from './call/types.ts';
import type { Caller } from './caller.ts';
import { discoveryPipeline } from './catalogue/discovery.ts';
import type { Config, Env } from './config/config.ts';
import { NexusError } from './errors.ts';
import { adminAuditRoutes } from './http/admin-audit.ts';
import { adminCacheRoutes } from './http/admin-cache.ts';
import { adminCredentialsRoutes } from './http/admin-credentials.ts';
import { bearerCheck, problem } from './http/admin-guard.ts';
import { adminKeysRoutes } from './http/admin-keys.ts';
import { allowedHostnames, originHostnames } from './http/guards.ts';
import { healthRoutes } from './http/health.ts';
import { OAUTH_METADATA_PATH, oauthMetadataRoutes } from './http/oauth-metadata.ts';
import { openApiRoutes } from './http/openapi.ts';
import { createOriginOf } from './http/public-origin.ts';
import { restRoutes } from './http/rest.ts';
import { toolsetRoutes } from './http/toolsets.ts';
import { createWebGuard, webGuard } from './http/web-guard.ts';
import { createAdmission } from './invoke/admission.ts';
import { createBreaker } from './invoke/breaker.ts';
import { createGuard, guardInvoker } from './invoke/guard.ts';
import { createHttpInvoker } from './invoke/http-invoker.ts';
import type { ToolResult } from './invoke/result.ts';
import { DEFAULT_RETRY } from './invoke/retry.ts';
import { createCallLimits, parseLimitRule } from './limiter/policy.ts';
import type { Logger } from './log.ts';
import { createMcpEndpoint } from './mcp/endpoint.ts';
import { createClientRelay } from './mcp/relay.ts';
import { mcpRoute } from './mcp/route.ts';
import { createSseSessions, MESSAGES_PATH } from './mcp/sse-sessions.ts';
import { createResourceSubscriptions } from './mcp/subscriptions.ts';
import { createToolsetEndpoints } from './mcp/toolsets.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { toolSetChanges } from './registry/changes.ts';
import { type InitialTools, loadInitialTools } from './registry/initial.ts';
import type { LoadOptions } from './registry/load.ts';
import { createRegistry, type Registry } from './registry/registry.ts';
import type { ServerSpec } from './registry/spec.ts';
import { type ReloadResult, reloadTools, watchTools } from './registry/watch.ts';
import { formatIssue } from './registry/yaml-file.ts';
import { openServices, type Services } from './services.ts';
import { assertStartupChecks } from './startup.ts';
import { traceLogger } from './trace/log.ts';
import { openTracer } from './trace/open.ts';
import type { Tracer } from './trace/tracer.ts';
import { createUpstreamExtras } from './upstream/extras.ts';
import { createMcpInvoker } from './upstream/invoker.ts';
import { createUpstreamPool, type UpstreamPool } from './upstream/pool.ts';
import { createAuthInjector } from './vault/inject.ts';
import { COMMIT, VERSION } from './version.ts';

// outbound slots kept free of backend calls: token endpoints, JWKS
const OUTBOUND_RESERVE = 16;
/** The audit caller of tool-set changes. */
export const RELOAD_CALLER = 'nexus:reload';

export interface App {
  readonly http: AnyElysia;
  readonly registry: Registry;
  readonly pipeline: CallPipeline;
  readonly metrics: Metrics;
  readonly services: Services;
  readonly tracer: Tracer;
  /** The federated MCP servers (`servers:` in tool files). */
  readonly upstreams: UpstreamPool;
  reload(): ReloadResult;
  /** Starts watching the tools dir and SIGHUP. */
  watch(): void;
  /** Shutdown begins: /readyz answers 503 and every answer closes its connection. */
  startDraining(): void;
  /** The drain begins: HTTP+SSE streams end once their answers in flight are sent. */
  endStreams(): void;
  close(): Promise<void>;
}

export interface AppOptions {
  readonly config: Config;
  readonly log: Logger;
  /** What `${env:NAME}` in tool files reads (default: the process environment); settings come from config. */
  readonly env?: Env;
  readonly version?: string;
  /** Test isolation on shared PostgreSQL / Redis. */
  readonly dbSearchPath?: string;
  readonly redisPrefix?: string;
  /** Answer plain tools/call directly (default true); tests turn it off to compare with the SDK path. */
  readonly mcpFastPath?: boolean;
  /** The tool files as `serve` loaded them before importing this module (registry/initial.ts); else loaded here. */
  readonly initialTools?: InitialTools;
}

export async function createApp(opts: AppOptions): Promise<App> {
  const { config } = opts;
  const rules = assertStartupChecks(config);
  const tracer = await openTracer(config, opts.version ?? VERSION);
  const log = traceLogger(opts.log, tracer);
  const initial = opts.initialTools ?? loadInitialTools(config, opts.env);
  const { loadOpts } = initial;
  if (initial.builtIn) {
    log.warn('no ./tools directory: serving the built-in example tools; point NEXUS_TOOLS_DIR or --tools at your own', {
      toolsDir: config.toolsDir,
    });
  }
  if (initial.issues.length) {
    throw new NexusError(
      'INVALID_CONFIG',
      `tool files have ${initial.issues.length} issue(s):\n  ${initial.issues.map(formatIssue).join('\n  ')}`,
    );
  }
  const registry = createRegistry(initial.tools, initial.catalogue);
  const metrics = createMetrics({ build: { version: opts.version ?? VERSION, commit: COMMIT } });
  metrics.gauge('nexus_tools_loaded', () => registry.current().tools.length);
  const services = await openServices({
    config,
    log,
    metrics,
    tracer,
    dbSearchPath: opts.dbSearchPath,
    redisPrefix: opts.redisPrefix,
    ...(rules && { rules }),
  }).catch(async (e) => {
    await tracer.close();
    throw e;
  });
  try {
    return await wire({ ...opts, log, registry, metrics, services, loadOpts, tracer, servers: initial.servers });
  } catch (e) {
    await services.close();
    await tracer.close();
    throw e;
  }
}

async function wire(
  o: AppOptions & {
    registry: Registry;
    metrics: Metrics;
    services: Services;
    loadOpts: LoadOptions;
    tracer: Tracer;
    servers: readonly ServerSpec[];
  },
): Promise<App> {
  const { config, log, registry, metrics, services: s, tracer } = o;
  const bind = assertBindPolicy({
    host: config.host,
    authConfigured: !!s.jwt || (await s.keys.hasAnyKey()),
    allowInsecure: config.allowUnauthenticated,
  });
  if (bind.notice) log.warn(bind.notice);
  const origin = config.publicUrl?.replace(/\/+$/, '');
  // the bound port is read per request: `http` is assigned below and listens only after wire() returns
  const originOf = createOriginOf({ publicUrl: origin, host: config.host, port: () => http.server?.port ?? config.port });
  const authenticator = createAuthenticator({
    keys: s.keys,
    ...(s.jwt && { jwt: s.jwt }),
    ...(s.rules && { rules: s.rules }),
    allowAnonymous: bind.allowAnonymous,
    resourceMetadataUrl: (headers) => `${originOf(headers)}${OAUTH_METADATA_PATH}`,
  });
  const authenticate = async (req: Request): Promise<Caller> => {
    const caller = await authenticator.authenticate(req.headers);
    const session = req.headers.get('mcp-session-id') ?? req.headers.get('x-nexus-session');
    return session ? { ...caller, session: session.slice(0, 128) } : caller;
  };
  const vault = s.vault;
  const injector = createAuthInjector({
    vault: {
      resolve: (name, principal) => {
        metrics.inc('nexus_vault_operations_total', { op: 'resolve' });
        return vault.resolve(name, principal);
      },
      lookup: (name, principal) => vault.lookup(name, principal),
    },
    tokens: s.tokens,
  });
  const httpOptions = { proxies: config, log, ...(config.caFile && { caFile: config.caFile }) };
  const upstreams = createUpstreamPool({
    registry,
    log,
    http: httpOptions,
    version: o.version ?? VERSION,
    inject: injector.inject,
    credentialIdentity: injector.credentialIdentity,
    tracer,
  });
  // admission, breaker and retries around every target kind's invoker (src/invoke/guard.ts)
  const guard = createGuard({
    admission: createAdmission({ total: Math.max(1, config.maxOutbound - OUTBOUND_RESERVE), metrics }),
    breaker: createBreaker({ threshold: config.breakerThreshold, cooldownMs: config.breakerCooldown, metrics }),
    retry: { ...DEFAULT_RETRY, retries: config.backendRetries },
    defaultConcurrency: config.backendConcurrency,
    metrics,
  });
  const recordAudit = s.auditExport ? teeAudit(s.audit.record, s.auditExport.record) : s.audit.record;
  const pipeline = createCallPipeline({
    registry,
    canUse: (caller, tool) => canUse(caller, tool, registry.current().toolsets),
    limits: createCallLimits(
      s.limiter,
      {
        ...(config.callerRateLimit && { caller: limitRule('NEXUS_CALLER_RATE_LIMIT', config.callerRateLimit) }),
        ...(config.sessionRateLimit && { session: limitRule('NEXUS_SESSION_RATE_LIMIT', config.sessionRateLimit) }),
      },
      metrics,
    ),
    responses: createToolResponses<ToolResult>(s.responses),
    invokers: {
      http: guardInvoker(guard, createHttpInvoker({ inject: injector.inject, http: httpOptions, tracer })),
      mcp: guardInvoker(guard, createMcpInvoker(upstreams)),
    },
    credentialIdentity: injector.credentialIdentity,
    audit: recordAudit,
    hashArgs: hashArguments,
    metrics,
    log,
    tracer,
  });
  const extras = createUpstreamExtras(upstreams, (caller, name) => canUse(caller, name, registry.current().toolsets));
  // clients' subscriptions to upstream resources, handed over Redis to the instance holding a session's stream
  const subscriptions = createResourceSubscriptions({ extras, log, ...(s.sessionRelay && { relay: s.sessionRelay }) });
  metrics.gauge('nexus_resource_subscriptions', () => extras.subscriptionCount());
  metrics.gauge('nexus_notification_streams', () => subscriptions.streams);
  // HTTP+SSE (2024-11-05) sessions of every MCP endpoint; POSTs reach them through /messages
  const sse = createSseSessions({
    attach: subscriptions.attach,
    maxSessions: config.sseMaxSessions,
    maxRequestBytes: config.maxRequestBytes,
    bodyTimeoutMs: config.bodyTimeout,
    authenticate,
    log,
    tracer,
    registry,
    ...(s.sessionRelay && { relay: s.sessionRelay }),
  });
  metrics.gauge('nexus_sse_sessions', () => sse.size);
  const unsubscribeSse = [registry.onChange(() => sse.notify('tools')), extras.onChange((what) => sse.notify(what))];
  const mcpOptions = {
    pipeline,
    extras,
    sse,
    // one relay of upstreams' requests for every MCP endpoint; answers reach it from other instances over Redis
    clientRelay: createClientRelay(s.sessionRelay),
    subscriptions,
    registry,
    log,
    authenticate,
    maxRequestBytes: config.maxRequestBytes,
    bodyTimeoutMs: config.bodyTimeout,
    version: o.version ?? VERSION,
    ...(o.mcpFastPath === false && { fastPath: false }),
    tracer,
  };
  const mcp = createMcpEndpoint({ ...mcpOptions, ...(config.discovery && { pipeline: discoveryPipeline(pipeline) }) });
  const toolsetMcp = createToolsetEndpoints(mcpOptions);
  const adminToken = config.adminToken;
  const publicOrigins = origin ? [origin] : [];
  let draining = false;
  const metricsAllowed = config.metricsToken ? bearerCheck(config.metricsToken) : undefined;
  const hostGuard = createWebGuard({
    allowedHosts: allowedHostnames(config.host, config.allowedHosts),
    allowedOrigins: originHostnames([...config.allowedOrigins, ...publicOrigins]),
  });
  // /mcp straight from Bun's router when listening; the Elysia route below serves app.http.handle
  const bunMcp = mcpRoute({ guard: hostGuard, handle: (r) => mcp.handle(r), log, draining: () => draining });
  const http = new Elysia({ serve: { routes: { '/mcp': bunMcp } } })
    .use(webGuard(hostGuard))
    .onRequest(({ set }) => {
      if (draining) set.headers.connection = 'close';
    })
    .use(healthRoutes({ registry, checks: readinessChecks(s), draining: () => draining, upstreams: () => upstreams.status() }))
    .get('/metrics', ({ request }) => {
      if (metricsAllowed && !metricsAllowed(request))
        return problem(new NexusError('UNAUTHORIZED', 'a valid metrics bearer token is required'), { 'www-authenticate': 'Bearer' });
      return new Response(metrics.render(), { headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' } });
    })
    .use(oauthMetadataRoutes({ jwt: s.jwt, resource: (headers) => `${originOf(headers)}/mcp` }))
    .all('/mcp', ({ request }) => mcp.handle(request), { parse: 'none' })
    .all('/mcp/:toolset', ({ request, params }) => toolsetMcp.handle(params.toolset, request), { parse: 'none' })
    .all('/sse', ({ request }) => mcp.handleSse(request), { parse: 'none' })
    .all('/sse/:toolset', ({ request, params }) => toolsetMcp.handleSse(params.toolset, request), { parse: 'none' })
    .all(MESSAGES_PATH, ({ request }) => sse.post(request), { parse: 'none' })
    .use(toolsetRoutes({ registry, pipeline, authenticate, version: VERSION, ...(origin && { serverUrl: origin }) }))
    .use(
      restRoutes({
        pipeline,
        authenticate,
        maxRequestBytes: config.maxRequestBytes,
        bodyTimeoutMs: config.bodyTimeout,
        log,
        tracer,
        declared: (name) => registry.get(name) !== undefined,
      }),
    )
    .use(
      openApiRoutes({
        registry,
        version: VERSION,
        visibleTools: pipeline.visibleTools,
        authenticate,
        ...(origin && { serverUrl: origin }),
      }),
    )
    .use(adminCredentialsRoutes({ vault: s.vault, adminToken }))
    .use(adminKeysRoutes({ keys: s.keys, adminToken }))
    .use(adminAuditRoutes({ audit: s.auditStore, adminToken }))
    .use(adminCacheRoutes({ responses: s.responses, adminToken }));

  // Every change to the tool set goes to the audit trail with the old and new definition hashes
  let previousSet = registry.current();
  const unsubscribeAudit = registry.onChange((set) => {
    for (const c of toolSetChanges(previousSet, set)) {
      recordAudit({
        time: Date.now(),
        caller: RELOAD_CALLER,
        tool: c.tool,
        outcome: `tool_${c.change}`,
        args: { ...(c.oldHash && { old: c.oldHash }), ...(c.newHash && { new: c.newHash }) },
      });
    }
    previousSet = set;
  });
  let stopWatching = () => {};
  upstreams.apply(o.servers);
  const reload = () => reloadTools(config.toolsDir, registry, log, o.loadOpts, (servers) => upstreams.apply(servers));
  return {
    http,
    registry,
    pipeline,
    metrics,
    services: s,
    tracer,
    upstreams,
    reload,
    startDraining: () => {
      draining = true;
    },
    endStreams: () => sse.drain(),
    watch: () => {
      stopWatching = watchTools(config.toolsDir, reload, log);
    },
    close: async () => {
      stopWatching();
      unsubscribeAudit();
      for (const off of unsubscribeSse) off();
      subscriptions.close();
      await sse.close();
      await mcp.close();
      await toolsetMcp.close();
      await upstreams.close();
      await s.close();
      await tracer.close();
    },
  };
}

function limitRule(name: string, text: string) {
  const rule = parseLimitRule(text);
  if (!rule) throw new NexusError('INVALID_CONFIG', `${name}: expected REQUESTS/DURATION like 600/1m, got "${text}"`);
  return rule;
}

function readinessChecks(s: Services) {
  return [
    { name: 'store', check: async () => void (await s.db.query('SELECT 1 AS ok')) },
    ...(s.redis
      ? [
          {
            name: 'redis',
            check: async () =>
              void (await Promise.race([
                s.redis!.ping(),
                Bun.sleep(1000).then(() => {
                  throw new Error('redis did not answer within 1s');
                }),
              ])),
          },
        ]
      : []),
  ];
}

/** Each audit record to the store and to the export. */
const teeAudit =
  (store: (e: AuditEntry) => void, exported: (e: AuditEntry) => void) =>
  (e: AuditEntry): void => {
    store(e);
    exported(e);
  };
