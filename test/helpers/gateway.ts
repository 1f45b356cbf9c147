// Starts a real gateway on port 0 over a tools dir, for integration tests.
import { type App, createApp } from '../../src/app.ts';
import { resolveConfig } from '../../src/config/config.ts';
import { createLogger, type Logger } from '../../src/log.ts';
import { type RunningServer, startServer } from '../../src/server.ts';
import { tempDir } from './files.ts';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from './test-services.ts';

export { tempDir, toolsDir } from './files.ts';
export { TEST_DATABASE_URL, TEST_REDIS_URL };

export interface TestGateway {
  app: App;
  server: RunningServer;
  url: string;
  mcpUrl: URL;
  logs: string[];
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Shared mode on the real PostgreSQL and Redis, isolated per test file: a PostgreSQL schema and a Redis
 * key prefix of its own. Several gateways given the same SharedScope behave as one cluster.
 */
export interface SharedScope {
  readonly schema: string;
  readonly prefix: string;
  readonly masterKey: string;
  /** Drops the schema and the prefix's keys. */
  cleanup(): Promise<void>;
}

/** Two gateways over one tools dir (sharing PostgreSQL + Redis when `shared`), their upstreams settled. */
export interface TwoInstances {
  readonly a: TestGateway;
  readonly b: TestGateway;
  /** Stops both and drops the shared scope. */
  stop(): Promise<void>;
}

export async function startTwoInstances(toolsDir: string, { shared = true } = {}): Promise<TwoInstances> {
  const scope = shared ? await sharedScope() : undefined;
  const started: TestGateway[] = [];
  const stop = async () => {
    for (const g of started) await g.stop();
    await scope?.cleanup();
  };
  try {
    for (let i = 0; i < 2; i++) started.push(await startGateway({ toolsDir, ...(scope && { shared: scope }) }));
    await Promise.all(started.map((g) => g.app.upstreams.settled()));
  } catch (e) {
    await stop();
    throw e;
  }
  return { a: started[0]!, b: started[1]!, stop };
}

export async function sharedScope(): Promise<SharedScope> {
  const id = `t_gw_${crypto.randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const { default: postgres } = await import('postgres');
  const sql = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
  await sql.unsafe(`CREATE SCHEMA ${id}`);
  await sql.end();
  return {
    schema: id,
    prefix: `${id}:`,
    masterKey: Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64'),
    async cleanup() {
      const pg = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
      await pg.unsafe(`DROP SCHEMA IF EXISTS ${id} CASCADE`);
      await pg.end();
      const { default: Redis } = await import('ioredis');
      const r = new Redis(TEST_REDIS_URL);
      let cursor = '0';
      do {
        const [next, keys] = await r.scan(cursor, 'MATCH', `*${id}*`, 'COUNT', 500);
        cursor = next;
        if (keys.length) await r.del(...keys);
      } while (cursor !== '0');
      r.disconnect();
    },
  };
}

export async function startGateway(opts: {
  toolsDir: string;
  env?: Record<string, string>;
  flags?: Record<string, string>;
  /** Run in shared mode (PostgreSQL + Redis) inside this scope. */
  shared?: SharedScope;
  /** false: every MCP request goes through the SDK (to compare with the fast path). */
  mcpFastPath?: boolean;
}): Promise<TestGateway> {
  const sharedEnv = opts.shared
    ? {
        DATABASE_URL: TEST_DATABASE_URL,
        REDIS_URL: TEST_REDIS_URL,
        NEXUS_MASTER_KEY: opts.shared.masterKey,
        // a loaded CI machine can keep PostgreSQL past the 2s default; outage tests set their own
        NEXUS_DB_TIMEOUT: '15s',
      }
    : {};
  const env = { NEXUS_DATA_DIR: tempDir('nexus-data-'), ...sharedEnv, ...opts.env };
  const config = resolveConfig({ port: '0', tools: opts.toolsDir, ...opts.flags }, env);
  const logs: string[] = [];
  const log: Logger = createLogger({ level: 'debug', write: (l) => logs.push(l) });
  const app = await createApp({
    config,
    log,
    env,
    ...(opts.shared && { dbSearchPath: opts.shared.schema, redisPrefix: opts.shared.prefix }),
    ...(opts.mcpFastPath === false && { mcpFastPath: false }),
  });
  const server = await startServer(app, config, log, { signals: false });
  const stop = () => server.stop();
  return { app, server, url: server.url, mcpUrl: new URL(`${server.url}/mcp`), logs, stop, [Symbol.asyncDispose]: stop };
}

type Truthy<T> = Exclude<T, undefined | null | false | 0 | ''>;

/** Polls until `check` returns a truthy value (no sleeps in tests). */
export async function waitFor<T>(check: () => T | Promise<T>, timeoutMs = 5000, what = 'condition'): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v as Truthy<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(20);
  }
}
