// Retries of idempotent calls on transient failures (connection dropped, 502, 503, 504) within the
// call's timeout, Retry-After honoured and surfaced on 429, never a retry of a non-idempotent call, and
// a per-backend circuit breaker that stops hammering a failing backend and recovers by probing.
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { ANONYMOUS } from '../../../src/caller.ts';
import type { NexusError } from '../../../src/errors.ts';
import { startBackend } from '../../helpers/backend.ts';
import { startGateway, type TestGateway, toolsDir, waitFor } from '../../helpers/gateway.ts';
import { connect, REVISIONS } from '../../helpers/mcp-client.ts';

// Each scenario has its own base path: its own breaker
const script = new Map<string, number[]>(); // base path -> statuses still to answer (then 200)
let healthy = false;
const backend = startBackend((_req, url) => {
  const base = url.pathname.split('/')[1]!;
  if (base === 'dead') return healthy ? Response.json({ back: true }) : new Response('down', { status: 503 });
  if (base === 'limited') return new Response('slow down', { status: 429, headers: { 'retry-after': '30' } });
  if (base === 'later') return new Response('maintenance', { status: 503, headers: { 'retry-after': '60' } });
  const next = script.get(base)?.shift();
  return next ? new Response(`status ${next}`, { status: next }) : Response.json({ ok: base });
});
const hits = (base: string) => backend.requests.filter((r) => r.path.startsWith(`/${base}/`)).length;

// A TCP server that drops the first two connections, then answers HTTP 200
let accepted = 0;
const flaky = Bun.listen({
  hostname: '127.0.0.1',
  port: 0,
  socket: {
    open(s) {
      if (++accepted <= 2) s.end();
    },
    data(s, chunk) {
      const body = '{"ok":"flaky"}';
      if (chunk.toString().includes('\r\n\r\n'))
        s.end(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`);
    },
  },
});

const tool = (name: string, base: string, method = 'GET', extra = '') => `
  - name: ${name}
    description: ${name}.
    backend: { base_url: "${backend.url}/${base}", timeout: 5s }
    request: { method: ${method}, path: /x }
    ${extra}`;

const TOOLS = `
tools:
${tool('twice', 'twice')}
${tool('post', 'post', 'POST')}
${tool('put_idem', 'putidem', 'PUT', 'idempotent: true')}
${tool('get_no_retry', 'getnoretry', 'GET', 'idempotent: false')}
${tool('limited', 'limited')}
${tool('later', 'later')}
${tool('dead', 'dead')}
  - name: flaky
    description: Drops connections.
    backend: { base_url: "http://127.0.0.1:${flaky.port}", timeout: 5s }
    request: { method: GET, path: /x }
`;

let gw: TestGateway;
let quick: TestGateway; // a short breaker cooldown, to watch it recover
beforeAll(async () => {
  const dir = toolsDir({ 't.yaml': TOOLS });
  gw = await startGateway({ toolsDir: dir });
  quick = await startGateway({ toolsDir: dir, env: { NEXUS_BREAKER_COOLDOWN: '200ms' } });
});
afterAll(async () => {
  await gw.stop();
  await quick.stop();
  backend.stop();
  flaky.stop(true);
});

const rest = (g: TestGateway, name: string) =>
  fetch(`${g.url}/api/tools/${name}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });

test('a GET answered 503 twice then 200 gives the client 200 after three backend calls', async () => {
  script.set('twice', [503, 502]);
  const r = await rest(gw, 'twice');
  expect([r.status, await r.json(), hits('twice')]).toEqual([200, { ok: 'twice' }, 3]);
  expect(gw.app.metrics.render()).toContain(`nexus_backend_retries_total{backend="${backend.url}/twice"} 2`);
});

test('a connection dropped twice before any answer is retried and the third connection answers', async () => {
  const r = await rest(gw, 'flaky');
  expect([r.status, await r.json(), accepted]).toEqual([200, { ok: 'flaky' }, 3]);
});

test('a POST is never retried; a PUT marked idempotent is; a GET marked idempotent: false is not', async () => {
  script.set('post', [503, 503]);
  script.set('putidem', [503]);
  script.set('getnoretry', [504]);
  expect([(await rest(gw, 'post')).status, hits('post')]).toEqual([502, 1]);
  expect([(await rest(gw, 'put_idem')).status, hits('putidem')]).toEqual([200, 2]);
  expect([(await rest(gw, 'get_no_retry')).status, hits('getnoretry')]).toEqual([502, 1]);
});

test("a backend's 429 is not retried and reaches the client with its Retry-After (REST 429, MCP _meta)", async () => {
  const r = await rest(gw, 'limited');
  const body = (await r.json()) as Record<string, unknown>;
  expect([r.status, r.headers.get('retry-after'), body.code, body.retryAfter, hits('limited')]).toEqual([429, '30', 'RATE_LIMITED', 30, 1]);
  for (const revision of REVISIONS) {
    const client = await connect(gw.mcpUrl, revision);
    const res = await client.callTool({ name: 'limited', arguments: {} });
    expect([res.isError, res._meta?.['nexus/status'], res._meta?.['nexus/retryAfter']]).toEqual([true, 429, 30]);
    await client.close();
  }
});

test('a 503 asking for a wait longer than the time left is answered at once, not retried', async () => {
  const outcome = await gw.app.pipeline.call('later', {}, ANONYMOUS);
  expect([outcome.result.status, outcome.result.retryAfter, hits('later')]).toEqual([503, 60, 1]);
});

test('30 calls to a backend answering 503 make 5 backend calls, then are refused with CIRCUIT_OPEN', async () => {
  healthy = false;
  const before = hits('dead');
  const codes: string[] = [];
  for (let i = 0; i < 30; i++) {
    const o = await gw.app.pipeline.call('dead', {}, ANONYMOUS).catch((e: NexusError) => e);
    codes.push('code' in o ? o.code : `status ${o.result.status}`);
  }
  expect(hits('dead') - before).toBe(5);
  // the first call made 3 attempts, the second 2 (the breaker opened during its retries)
  expect(codes).toEqual(['status 503', 'status 503', ...Array(28).fill('CIRCUIT_OPEN')]);
  const r = await rest(gw, 'dead');
  expect([r.status, Number(r.headers.get('retry-after')) > 0, ((await r.json()) as { code: string }).code]).toEqual([
    503,
    true,
    'CIRCUIT_OPEN',
  ]);
  expect(gw.app.metrics.render()).toContain(`nexus_backend_breaker_state{backend="${backend.url}/dead"} 2`);
});

test('after its cooldown an open breaker lets one probe through, and closes when the backend is back', async () => {
  healthy = false;
  for (let i = 0; i < 3; i++) await quick.app.pipeline.call('dead', {}, ANONYMOUS).catch(() => {});
  expect(quick.app.metrics.render()).toContain(`nexus_backend_breaker_state{backend="${backend.url}/dead"} 2`);
  healthy = true;
  const outcome = await waitFor(async () => {
    const o = await quick.app.pipeline.call('dead', {}, ANONYMOUS).catch(() => undefined);
    return o?.result.isError === false ? o : undefined;
  });
  expect(outcome?.result.json).toEqual({ back: true });
  expect(quick.app.metrics.render()).toContain(`nexus_backend_breaker_state{backend="${backend.url}/dead"} 0`);
});
