// Binds the app to a port and owns the process lifecycle: SIGTERM drains in-flight calls, then exits.
import type { App } from './app.ts';
import type { Config } from './config/config.ts';
import type { Logger } from './log.ts';

export interface RunningServer {
  readonly port: number;
  readonly url: string;
  /** Resolves once the server has stopped (SIGTERM/SIGINT or stop()). */
  readonly closed: Promise<void>;
  stop(): Promise<void>;
}

// Bun's maximum; must exceed every backend timeout so a slow backend is a reported timeout, not a dropped connection
const IDLE_TIMEOUT_S = 255;

export async function startServer(app: App, config: Config, log: Logger, opts: { signals?: boolean } = {}): Promise<RunningServer> {
  app.http.listen({
    port: config.port,
    hostname: config.host,
    idleTimeout: IDLE_TIMEOUT_S,
    maxRequestBodySize: config.maxRequestBytes + 1024,
  });
  const bun = app.http.server!;
  app.watch();
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${bun.port}`;
  Bun.gc(true); // start-up garbage (tool parsing, schema compiling) goes before the first request
  log.info('nexus listening', { url: `${url}/mcp`, tools: app.registry.current().tools.length });
  let resolveClosed = () => {};
  const closed = new Promise<void>((r) => (resolveClosed = r));
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      log.info('shutting down: finishing in-flight calls', { drainMs: config.drainTimeout });
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
    process.once('SIGTERM', () => void stop());
    process.once('SIGINT', () => void stop());
  }
  return { port: bun.port!, url, closed, stop };
}
