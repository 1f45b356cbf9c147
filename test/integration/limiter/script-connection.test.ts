// The limiter over Bun's Redis client (db/script-connection.ts): the same contract and cross-instance
// exactness as over ioredis, and what it does when the server stalls or goes away. outage.test.ts runs
// the kill and freeze cases over both clients.
import { afterAll, beforeAll, expect, test } from 'bun:test';
import type { Socket } from 'bun';
import type { RedisClient } from '../../../src/db/redis.ts';
import { openScriptConnection, type ScriptConnection } from '../../../src/db/script-connection.ts';
import { createRedisLimiter } from '../../../src/limiter/redis.ts';
import { createLogger, silentLogger } from '../../../src/log.ts';
import { limiterContract, until } from '../../unit/limiter/contract.ts';
import { cleanup, connect, SHARED_REDIS_URL, uniquePrefix } from './redis-fixture.ts';

const open = (url = SHARED_REDIS_URL, commandTimeoutMs = 250) =>
  openScriptConnection(url, { log: silentLogger, commandTimeoutMs, maxBackoffMs: 50 })!;

limiterContract('redis over Bun client', async () => {
  const prefix = uniquePrefix();
  const scripts = open();
  await scripts.ready(3000);
  return {
    limiter: createRedisLimiter(scripts.run, { prefix }),
    close: async () => {
      scripts.close();
      await cleanup(prefix);
    },
  };
});

let prefix: string;
let admin: RedisClient;
let scripts: ScriptConnection;
beforeAll(async () => {
  prefix = uniquePrefix();
  admin = await connect();
  scripts = open();
  await scripts.ready(3000);
});
afterAll(async () => {
  scripts.close();
  await cleanup(prefix, admin);
});

test('an instance on Bun client and one on ioredis together allow exactly 5 of 12 calls for 5 per minute', async () => {
  const one = createRedisLimiter(scripts.run, { prefix });
  const two = createRedisLimiter(admin, { prefix });
  const rule = { requests: 5, perMs: 60_000 };
  const decisions = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? one : two).take('tool:mixed:anonymous', rule)));
  expect(decisions.filter((d) => d.allowed).length).toBe(5);
  for (const d of decisions.filter((d) => !d.allowed)) expect(d.retryAfterMs).toBeGreaterThan(0);
});

test('a refused call consumes nothing: its other checks are left as they were', async () => {
  const limiter = createRedisLimiter(scripts.run, { prefix });
  const wide = { requests: 10, perMs: 60_000 };
  const narrow = { requests: 1, perMs: 60_000 };
  const checks = [
    { name: 'wide', key: 'tool:refused:wide', rule: wide },
    { name: 'narrow', key: 'tool:refused:narrow', rule: narrow },
  ];
  expect((await limiter.checkAll(checks)).allowed).toBe(true);
  expect((await limiter.checkAll(checks)).allowed).toBe(false);
  expect((await limiter.take('tool:refused:wide', wide)).remaining).toBe(8); // 10 - the first call - this one
});

test('after the server forgets its scripts (SCRIPT FLUSH), the next run loads the script again', async () => {
  const limiter = createRedisLimiter(scripts.run, { prefix });
  const rule = { requests: 3, perMs: 60_000 };
  expect((await limiter.take('tool:flush', rule)).remaining).toBe(2);
  await admin.script('FLUSH');
  expect((await limiter.take('tool:flush', rule)).remaining).toBe(1);
});

test('Sentinel and Cluster URLs get no script connection: the limiter stays on ioredis there', () => {
  expect(openScriptConnection('redis-sentinel://127.0.0.1:26379/mymaster', { log: silentLogger })).toBeUndefined();
  expect(openScriptConnection('redis-cluster://127.0.0.1:7000,127.0.0.1:7001', { log: silentLogger })).toBeUndefined();
});

/** A TCP relay to the shared Redis that counts connections and can stop passing replies on. */
function relay() {
  const [host, port] = ['127.0.0.1', Number(new URL(SHARED_REDIS_URL).port || 6379)];
  const state = { connections: 0, stalled: false };
  const server = Bun.listen<{ up?: Socket<unknown>; early: Uint8Array[] }>({
    hostname: '127.0.0.1',
    port: 0,
    socket: {
      async open(client) {
        state.connections++;
        client.data = { early: [] };
        client.data.up = await Bun.connect({
          hostname: host,
          port,
          socket: {
            data: (_, chunk) => void (state.stalled || client.write(chunk)),
            close: () => {
              client.end();
            },
          },
        });
        for (const c of client.data.early) client.data.up.write(c);
      },
      data(client, chunk) {
        if (client.data.up) client.data.up.write(chunk);
        else client.data.early.push(new Uint8Array(chunk));
      },
      close: (client) => {
        client.data.up?.end();
      },
    },
  });
  return { url: `redis://127.0.0.1:${server.port}`, state, stop: () => server.stop(true) };
}

test('a run the server does not answer fails within the command timeout, and the connection is replaced', async () => {
  const proxy = relay();
  const lines: string[] = [];
  const slow = openScriptConnection(proxy.url, {
    log: createLogger({ write: (l) => lines.push(l) }),
    commandTimeoutMs: 100,
    maxBackoffMs: 50,
  })!;
  try {
    await slow.ready(3000);
    const limiter = createRedisLimiter(slow.run, { prefix });
    const rule = { requests: 100, perMs: 60_000 };
    expect((await limiter.take('tool:stall', rule)).allowed).toBe(true);
    proxy.state.stalled = true;
    const started = performance.now();
    const failed = await limiter.take('tool:stall', rule).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(performance.now() - started).toBeLessThan(100 + 150);
    expect(failed).toBeInstanceOf(Error);
    expect((failed as { code?: string }).code).toBeUndefined(); // not a NexusError: the guard fails it open or closed
    proxy.state.stalled = false;
    await until(() => proxy.state.connections >= 2, 3000);
    await until(
      () =>
        limiter.take('tool:stall', rule).then(
          (d) => d.allowed,
          () => false,
        ),
      3000,
    );
  } finally {
    slow.close();
    proxy.stop();
  }
});

test('a server that cannot be reached: runs fail at once, it is logged without the password', async () => {
  const password = crypto.randomUUID();
  const probe = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } });
  const port = probe.port;
  probe.stop(true);
  const lines: string[] = [];
  const down = openScriptConnection(`redis://:${password}@127.0.0.1:${port}/0`, {
    log: createLogger({ write: (l) => lines.push(l) }),
    maxBackoffMs: 20,
  })!;
  try {
    await until(() => lines.length > 0);
    const started = performance.now();
    const limiter = createRedisLimiter(down.run, { prefix });
    expect(
      await limiter.take('tool:down', { requests: 1, perMs: 1000 }).then(
        () => 'answered',
        () => 'failed',
      ),
    ).toBe('failed');
    expect(performance.now() - started).toBeLessThan(100);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'warn', msg: `redis redis://:***@127.0.0.1:${port}/0 unavailable` });
    expect(lines.join('\n')).not.toContain(password);
    expect(down.connected()).toBe(false);
  } finally {
    down.close();
  }
});
