// POST /api/tools/{name}: the MCP call pipeline over plain HTTP statuses and problem+json.
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { startBackend } from '../../helpers/backend.ts';
import { startGateway, type TestGateway, toolsDir } from '../../helpers/gateway.ts';

const backend = startBackend(async (req, url) => {
  if (url.pathname === '/slow') {
    await Bun.sleep(2000);
    return Response.json({ late: true });
  }
  if (url.pathname === '/fail') return new Response('nope', { status: 503 });
  return Response.json({ echo: url.pathname, body: req.method === 'POST' ? await req.json() : null });
});
const TOOLS = `
backend: { base_url: "${backend.url}" }
tools:
  - name: get_thing
    description: Get a thing.
    input: { type: object, properties: { id: { type: integer } }, required: [id] }
    request: { method: GET, path: "/things/{id}" }
  - name: make_thing
    description: Make a thing.
    input: { type: object, properties: { name: { type: string } }, required: [name] }
    request: { method: POST, path: /things }
  - name: slow
    description: Slow.
    backend: { timeout: 200ms }
    request: { method: GET, path: /slow }
  - name: mismatch
    description: Declares an output the backend does not honour.
    output: { type: object, properties: { key: { type: string } }, required: [key] }
    request: { method: GET, path: /m }
  - name: failing
    description: Fails.
    request: { method: GET, path: /fail }
`;

let gw: TestGateway;
beforeAll(async () => {
  gw = await startGateway({ toolsDir: toolsDir({ 't.yaml': TOOLS }) });
});
afterAll(async () => {
  await gw.stop();
  backend.stop();
});

const post = (name: string, body: unknown) =>
  fetch(`${gw.url}/api/tools/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

test('a valid call answers 200 with the backend JSON', async () => {
  const r = await post('get_thing', { id: 7 });
  expect(r.status).toBe(200);
  expect(await r.json()).toEqual({ echo: '/things/7', body: null });
  const m = await post('make_thing', { name: 'x' });
  expect(await m.json()).toEqual({ echo: '/things', body: { name: 'x' } });
});

test('bad arguments answer 400 listing every issue', async () => {
  const r = await post('get_thing', { id: 'seven', extra: true });
  expect(r.status).toBe(400);
  expect(r.headers.get('content-type')).toBe('application/problem+json');
  const body = await r.json();
  expect(body.code).toBe('INVALID_INPUT');
  expect(body.issues).toEqual(['arguments.id: must be integer', 'arguments.extra: is not allowed']);
  expect((await post('get_thing', '{not json')).status).toBe(400);
});

test('an unknown tool answers 404', async () => {
  const r = await post('missing_tool', {});
  expect(r.status).toBe(404);
  expect((await r.json()).detail).toBe('Unknown tool: missing_tool');
});

test('a backend failure answers 502 and a timeout 504, as problem+json', async () => {
  const f = await post('failing', {});
  expect(f.status).toBe(502);
  expect(await f.json()).toMatchObject({ status: 502, backendStatus: 503, detail: 'Backend answered 503 Service Unavailable: nope' });
  const s = await post('slow', {});
  expect(s.status).toBe(504);
  expect(await s.json()).toMatchObject({ status: 504, code: 'UPSTREAM_TIMEOUT', detail: 'backend did not answer within 200ms' });
});

test('an answer that breaks the declared output schema is a backend error, not passed on', async () => {
  const r = await post('mismatch', {});
  expect(r.status).toBe(502);
  expect((await r.json()).detail).toBe("Backend answer does not match the tool's output schema: answer.key: is required");
});
