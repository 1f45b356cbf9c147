// The composition root: the one place that wires modules together. Edges and core never import each
// other's implementations; they meet here.
import { Elysia, type AnyElysia } from 'elysia';
import { createCallPipeline, type CallPipeline } from './call/pipeline.ts';
import type { Config } from './config/config.ts';
import { NexusError } from './errors.ts';
import { healthRoutes } from './http/health.ts';
import { restRoutes } from './http/rest.ts';
import type { Logger } from './log.ts';
import { createMcpEndpoint } from './mcp/endpoint.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { loadToolsDir } from './registry/load.ts';
import { createRegistry, type Registry } from './registry/registry.ts';
import { reloadTools, watchTools, type ReloadResult } from './registry/watch.ts';
import { formatIssue } from './registry/yaml-file.ts';
import { allowedHostnames, originHostnames } from './http/guards.ts';

export interface App {
  readonly http: AnyElysia;
  readonly registry: Registry;
  readonly pipeline: CallPipeline;
  readonly metrics: Metrics;
  reload(): ReloadResult;
  /** Starts watching the tools dir and SIGHUP. */
  watch(): void;
  close(): Promise<void>;
}

export interface AppOptions {
  readonly config: Config;
  readonly log: Logger;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly version?: string;
}

export async function createApp(opts: AppOptions): Promise<App> {
  const { config, log } = opts;
  const env = opts.env ?? process.env;
  const loadOpts = { env, maxResponseBytes: config.maxResponseBytes };
  const initial = loadToolsDir(config.toolsDir, loadOpts);
  if (initial.issues.length) {
    throw new NexusError('INVALID_CONFIG', `tool files have ${initial.issues.length} issue(s):\n  ${initial.issues.map(formatIssue).join('\n  ')}`);
  }
  const registry = createRegistry(initial.tools);
  const metrics = createMetrics();
  const pipeline = createCallPipeline({
    registry,
    metrics,
    log,
    http: { env, ...(config.caFile && { caFile: config.caFile }) },
  });
  const mcp = createMcpEndpoint({
    pipeline,
    registry,
    log,
    allowedHosts: allowedHostnames(config.host, config.allowedHosts),
    allowedOrigins: originHostnames(config.allowedOrigins),
    maxRequestBytes: config.maxRequestBytes,
    ...(opts.version && { version: opts.version }),
  });

  const http = new Elysia()
    .use(healthRoutes({ registry }))
    .all('/mcp', ({ request }) => mcp.handle(request), { parse: 'none' })
    .use(restRoutes({ pipeline, maxRequestBytes: config.maxRequestBytes, log }));

  let stopWatching = () => {};
  const reload = () => reloadTools(config.toolsDir, registry, log, loadOpts);
  return {
    http,
    registry,
    pipeline,
    metrics,
    reload,
    watch: () => {
      stopWatching = watchTools(config.toolsDir, reload, log);
    },
    close: async () => {
      stopWatching();
      await mcp.close();
    },
  };
}
