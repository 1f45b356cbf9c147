// The Host (DNS-rebinding) and Origin guards hold on every route, not only /mcp, and /api takes only
// JSON bodies: a web page cannot reach a tool cross-site in the default anonymous loopback mode.
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { startBackend } from '../../helpers/backend.ts';
import { startGateway, type TestGateway, toolsDir } from '../../helpers/gateway.ts';

const backend = startBackend((_req, url) => Response.json({ path: url.pathname }));
const TOOLS = `
backend: { base_url: "${backend.url}" }
tools:
  - name: make_thing
    description: Make a thing.
    input: { type: object, properties: { name: { type: string } } }
    request: { method: POST, path: /things }
`;

let gw: TestGateway;
beforeAll(async () => {
  gw = await startGateway({ toolsDir: toolsDir({ 't.yaml': TOOLS }), env: { NEXUS_ADMIN_TOKEN: 'admin-token-for-guard-test' } });
});
afterAll(async () => {
  await gw.stop();
  backend.stop();
});

const ROUTES: [string, string][] = [
  ['POST', '/api/tools/make_thing'],
  ['GET', '/admin/audit'],
  ['GET', '/openapi.json'],
  ['GET', '/docs'],
  ['GET', '/docs/assets/init.js'],
  ['GET', '/metrics'],
  ['POST', '/mcp'],
];

const send = (method: string, path: string, headers: Record<string, string>) =>
  fetch(`${gw.url}${path}`, {
    method,
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(path.startsWith('/admin') && { authorization: 'Bearer admin-token-for-guard-test' }),
      ...headers,
    },
    ...(method === 'POST' && { body: path === '/mcp' ? '{"jsonrpc":"2.0","id":1,"method":"ping"}' : '{"name":"x"}' }),
  }).then((r) => r.status);

test('a rebinding Host header is refused with 403 on every route, health probes excepted', async () => {
  const statuses: Record<string, number> = {};
  for (const [method, path] of ROUTES) statuses[`${method} ${path}`] = await send(method, path, { host: 'attacker.example' });
  expect(statuses).toEqual(Object.fromEntries(ROUTES.map(([m, p]) => [`${m} ${p}`, 403])));
  expect(await send('GET', '/healthz', { host: 'attacker.example' })).toBe(200);
  expect(backend.requests).toEqual([]);
});

test('a foreign Origin is refused with 403 on every route; a loopback Origin is served', async () => {
  const foreign: Record<string, number> = {};
  const local: Record<string, number> = {};
  for (const [method, path] of ROUTES) {
    foreign[`${method} ${path}`] = await send(method, path, { origin: 'https://evil.example' });
    local[`${method} ${path}`] = await send(method, path, { origin: `http://localhost:${gw.server.port}` });
  }
  expect(foreign).toEqual(Object.fromEntries(ROUTES.map(([m, p]) => [`${m} ${p}`, 403])));
  expect(local).toEqual(Object.fromEntries(ROUTES.map(([m, p]) => [`${m} ${p}`, 200])));
});

test('a cross-site text/plain (or form) POST to /api is refused with 415 before the backend sees it', async () => {
  backend.requests.length = 0;
  const answers = [];
  for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
    const r = await fetch(`${gw.url}/api/tools/make_thing`, { method: 'POST', headers: { 'content-type': type }, body: '{"name":"x"}' });
    answers.push({ status: r.status, code: ((await r.json()) as { code: string }).code });
  }
  expect(answers).toEqual(Array(3).fill({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' }));
  expect(backend.requests).toEqual([]);
  const ok = await fetch(`${gw.url}/api/tools/make_thing`, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: '{"name":"x"}',
  });
  expect(ok.status).toBe(200);
});

test('no route answers with permissive CORS headers, preflights included', async () => {
  const pre = await fetch(`${gw.url}/api/tools/make_thing`, {
    method: 'OPTIONS',
    headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
  });
  const get = await fetch(`${gw.url}/openapi.json`);
  expect({
    preflight: pre.headers.get('access-control-allow-origin'),
    get: get.headers.get('access-control-allow-origin'),
  }).toEqual({ preflight: null, get: null });
});
