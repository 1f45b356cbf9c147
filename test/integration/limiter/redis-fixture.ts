// Redis for integration tests: connections to the shared server under a unique key prefix (cleaned
// with SCAN inside that prefix only), and a private redis-server child a test may stop and restart.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRedis, type RedisClient, redisReady } from '../../../src/db/redis.ts';
import { silentLogger } from '../../../src/log.ts';
import { freePorts } from '../../helpers/services.ts';
import { TEST_REDIS_URL } from '../../helpers/test-services.ts';

export const SHARED_REDIS_URL = TEST_REDIS_URL;

export const uniquePrefix = () => `t_${crypto.randomUUID().slice(0, 8)}:`;

/** A new connection, ready, or a failure (a missing Redis fails the test, never skips it). */
export async function connect(url = SHARED_REDIS_URL, commandTimeoutMs = 250): Promise<RedisClient> {
  const client = openRedis(url, { log: silentLogger, commandTimeoutMs, maxBackoffMs: 100 });
  await redisReady(client, 3000);
  return client;
}

/** Deletes every key under prefix and closes the clients. */
export async function cleanup(prefix: string, ...clients: RedisClient[]): Promise<void> {
  const admin = await connect();
  let cursor = '0';
  do {
    const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    if (keys.length) await admin.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  for (const c of [admin, ...clients]) c.disconnect();
}

export interface RedisChild {
  readonly url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** SIGSTOP / SIGCONT: the server keeps its connections but answers nothing. */
  freeze(): void;
  thaw(): void;
}

/** Spawns redis-server with extra args and resolves once it accepts connections. */
async function spawnRedis(port: number, args: string[], cwd?: string) {
  const proc = Bun.spawn(['redis-server', '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...args], {
    stdout: 'pipe',
    stderr: 'pipe',
    ...(cwd && { cwd }),
  });
  const reader = (proc.stdout as ReadableStream<Uint8Array>).getReader();
  let seen = '';
  while (!seen.includes('Ready to accept connections')) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`redis-server on port ${port} exited: ${seen.slice(-300)}`);
    seen += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  void (proc.stdout as ReadableStream<Uint8Array>).pipeTo(new WritableStream());
  return proc;
}

/** A throwaway redis-server on a free port; stop() kills it, start() brings it back on that port. */
export async function startRedisChild(): Promise<RedisChild> {
  const [port] = freePorts(1) as [number];
  let proc: ReturnType<typeof Bun.spawn> | undefined;
  const start = async () => {
    proc = await spawnRedis(port, []);
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    start,
    freeze: () => proc?.kill('SIGSTOP'),
    thaw: () => proc?.kill('SIGCONT'),
    stop: async () => {
      proc?.kill('SIGKILL');
      await proc?.exited;
    },
  };
}

/** A throwaway three-master Redis Cluster; its URL is redis-cluster://... */
export async function startRedisCluster(): Promise<{ url: string; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'nexus-cluster-'));
  const ports = freePorts(3);
  const procs = await Promise.all(
    ports.map((p) => spawnRedis(p, ['--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${p}.conf`], dir)),
  );
  const create = Bun.spawn(
    ['redis-cli', '--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'],
    { stdout: 'pipe', stderr: 'pipe' },
  );
  if ((await create.exited) !== 0)
    throw new Error(`redis-cli --cluster create failed: ${await new Response(create.stdout as ReadableStream).text()}`);
  return {
    url: `redis-cluster://${ports.map((p) => `127.0.0.1:${p}`).join(',')}`,
    stop: async () => {
      for (const p of procs) p.kill('SIGKILL');
      await Promise.all(procs.map((p) => p.exited));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
