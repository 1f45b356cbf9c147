// Two instances sharing PostgreSQL and Redis: when the client whose call leads a coalesced flight
// disconnects, the backend call goes on for the identical call waiting on the other instance; it is
// cancelled only once every client has gone.
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { type SharedScope, sharedScope, startGateway, type TestGateway, toolsDir, waitFor } from '../../helpers/gateway.ts';
import { gate } from '../../unit/cache/contract.ts';

let held = gate();
const seen: { path: string; aborted: () => boolean }[] = [];
const backend = Bun.serve({
  port: 0,
  hostname: '127.0.0.1',
  async fetch(req) {
    const path = new URL(req.url).pathname;
    seen.push({ path, aborted: () => req.signal.aborted });
    await held.promise;
    return Response.json({ path });
  },
});

const TOOLS = `
backend: { base_url: "http://127.0.0.1:${backend.port}", timeout: 10s }
tools:
  - name: report
    description: A slow report, cached.
    input: { type: object, properties: { id: { type: integer } }, required: [id] }
    request: { method: GET, path: "/report/{id}" }
    cache: { ttl: 1m }
`;

let scope: SharedScope;
let a: TestGateway;
let b: TestGateway;
beforeAll(async () => {
  scope = await sharedScope();
  const dir = toolsDir({ 't.yaml': TOOLS });
  a = await startGateway({ toolsDir: dir, shared: scope });
  b = await startGateway({ toolsDir: dir, shared: scope });
});
afterAll(async () => {
  held.open();
  await a.stop();
  await b.stop();
  backend.stop(true);
  await scope.cleanup();
});

const call = (g: TestGateway, id: number, signal?: AbortSignal) =>
  fetch(`${g.url}/api/tools/report`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id }),
    ...(signal && { signal }),
  });

/** True once an instance other than the leader waits for the flight (it renews its presence in Redis). */
const waiting = async () => {
  const { default: Redis } = await import('ioredis');
  const r = new Redis(process.env.NEXUS_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
  try {
    const keys = await r.keys(`${scope.prefix}flight:*:waiters`);
    return keys.length > 0 && (await r.zcard(keys[0]!)) > 0;
  } finally {
    r.disconnect();
  }
};

test('the leading client disconnecting leaves the backend call running for the client waiting on the other instance', async () => {
  held = gate();
  const leader = new AbortController();
  const leading = call(a, 1, leader.signal).catch((e: Error) => e.name);
  await waitFor(() => seen.length === 1, 5000, 'the backend call');
  const follower = call(b, 1);
  await waitFor(waiting, 5000, 'the other instance waiting');
  leader.abort();
  expect(await leading).toBe('AbortError');
  // the leading instance keeps the call while b waits (it looks every 100 ms)
  await waitFor(async () => (await a.app.metrics.render()).includes('nexus_tool_calls_total{outcome="error",tool="report"} 1'), 5000);
  expect(seen.map((s) => s.aborted())).toEqual([false]);
  held.open();
  const r = await follower;
  expect([r.status, await r.json(), r.headers.get('x-nexus-source'), seen.length]).toEqual([200, { path: '/report/1' }, 'coalesced', 1]);
});

test('the backend call is cancelled once the clients on both instances have disconnected', async () => {
  held = gate();
  const before = seen.length;
  const clients = [new AbortController(), new AbortController()];
  const first = call(a, 2, clients[0]!.signal).catch((e: Error) => e.name);
  await waitFor(() => seen.length === before + 1, 5000, 'the backend call');
  const second = call(b, 2, clients[1]!.signal).catch((e: Error) => e.name);
  await waitFor(waiting, 5000, 'the other instance waiting');
  clients[0]!.abort();
  expect(await first).toBe('AbortError');
  expect(seen[before]!.aborted()).toBe(false);
  clients[1]!.abort();
  expect(await second).toBe('AbortError');
  await waitFor(() => seen[before]!.aborted(), 5000, 'the backend request cancelled');
});
