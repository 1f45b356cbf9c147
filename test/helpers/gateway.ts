// Starts a real gateway on port 0 over a tools dir, for integration tests.
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type App } from '../../src/app.ts';
import { resolveConfig } from '../../src/config/config.ts';
import { createLogger, type Logger } from '../../src/log.ts';
import { startServer, type RunningServer } from '../../src/server.ts';

export function tempDir(prefix = 'nexus-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes files (name -> YAML text) into a fresh tools dir. */
export function toolsDir(files: Record<string, string>): string {
  const dir = tempDir('nexus-tools-');
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

export interface TestGateway {
  app: App;
  server: RunningServer;
  url: string;
  mcpUrl: URL;
  logs: string[];
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export async function startGateway(opts: { toolsDir: string; env?: Record<string, string>; flags?: Record<string, string> }): Promise<TestGateway> {
  const env = { NEXUS_DATA_DIR: tempDir('nexus-data-'), ...opts.env };
  const config = resolveConfig({ port: '0', tools: opts.toolsDir, ...opts.flags }, env);
  const logs: string[] = [];
  const log: Logger = createLogger({ level: 'debug', write: (l) => logs.push(l) });
  const app = await createApp({ config, log, env });
  const server = await startServer(app, config, log, { signals: false });
  const stop = () => server.stop();
  return { app, server, url: server.url, mcpUrl: new URL(`${server.url}/mcp`), logs, stop, [Symbol.asyncDispose]: stop };
}

/** Polls until `check` returns a truthy value (no sleeps in tests). */
export async function waitFor<T>(check: () => T | Promise<T>, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(20);
  }
}
