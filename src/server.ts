// Binds the app to a port and owns the process lifecycle: SIGTERM makes /readyz answer 503, keeps
// serving for NEXUS_SHUTDOWN_DELAY (so load balancers notice), drains in-flight calls, then exits.
import type { App } from './app.ts';
import { endpointSizes, largeListWarnings } from './catalogue/stats.ts';
import type { Config } from './config/config.ts';
import { NexusError } from './errors.ts';
import type { Logger } from './log.ts';

export interface RunningServer {
  readonly port: number;
  readonly url: string;
  /** Resolves once the server has stopped (SIGTERM/SIGINT or stop()). */
  readonly closed: Promise<void>;
  /** Stops; with a delay, /readyz answers 503 for that long before the drain (SIGTERM uses NEXUS_SHUTDOWN_DELAY). */
  stop(opts?: { delayMs?: number }): Promise<void>;
}

/** Listens, or throws a clear error when the address is taken (never shares the port: reusePort off). */
function listen(app: App, config: Config) {
  try {
    app.http.listen({
      port: config.port,
      hostname: config.host,
      idleTimeout: IDLE_TIMEOUT_S,
      maxRequestBodySize: config.maxRequestBytes + 1024,
      reusePort: false,
    });
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'EADDRINUSE' || /in use/i.test(String((e as Error).message)))
      throw new NexusError('UNAVAILABLE', `address in use: ${config.host}:${config.port} (another process is listening there)`);
    throw e;
  }
}

// Bun's maximum; must exceed every backend timeout so a slow backend is a reported timeout, not a dropped connection
const IDLE_TIMEOUT_S = 255;

export async function startServer(app: App, config: Config, log: Logger, opts: { signals?: boolean } = {}): Promise<RunningServer> {
  listen(app, config);
  const bun = app.http.server!;
  app.watch();
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${bun.port}`;
  Bun.gc(true); // start-up garbage (tool parsing, schema compiling) goes before the first request
  const set = app.registry.current();
  const sizes = endpointSizes(set.tools, set.toolsets, config.discovery);
  log.info('nexus listening', { url: `${url}/mcp`, tools: set.tools.length, listBytes: sizes[0]!.bytes });
  for (const w of largeListWarnings(sizes)) log.warn(w);
  let resolveClosed = () => {};
  const closed = new Promise<void>((r) => (resolveClosed = r));
  let stopping: Promise<void> | undefined;
  const stop = ({ delayMs = 0 }: { delayMs?: number } = {}) =>
    (stopping ??= (async () => {
      app.startDraining();
      if (delayMs > 0) {
        log.info('shutting down: /readyz answers 503; still serving until the drain', { delayMs });
        await Bun.sleep(delayMs);
      }
      log.info('shutting down: finishing in-flight calls', { drainMs: config.drainTimeout });
      app.endStreams();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const deadline = new Promise<boolean>((r) => (timer = setTimeout(() => r(true), config.drainTimeout)));
      const timedOut = await Promise.race([bun.stop(false).then(() => false), deadline]);
      clearTimeout(timer);
      if (timedOut) {
        log.warn('drain timeout reached; closing remaining connections');
        await bun.stop(true);
      }
      await app.close();
      log.info('stopped');
      resolveClosed();
    })());
  if (opts.signals !== false) {
    process.once('SIGTERM', () => void stop({ delayMs: config.shutdownDelay }));
    process.once('SIGINT', () => void stop()); // interactive: no load balancer to tell
  }
  return { port: bun.port!, url, closed, stop };
}
