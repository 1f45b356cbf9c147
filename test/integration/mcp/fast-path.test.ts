// The tools/call fast path answers exactly what the SDK path answers, message for message, in both
// revisions; requests it does not recognise fall through to the SDK unchanged.
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { startBackend } from '../../helpers/backend.ts';
import { startGateway, type TestGateway, toolsDir } from '../../helpers/gateway.ts';
import { connect, REVISIONS, rawPost } from '../../helpers/mcp-client.ts';

const backend = startBackend((_req, url) => {
  if (url.pathname === '/boom') return new Response('kaput', { status: 500, statusText: 'Internal Server Error' });
  if (url.pathname === '/text') return new Response('plain words', { headers: { 'content-type': 'text/plain' } });
  return Response.json({ path: url.pathname, n: 1 });
});
const TOOLS = `
backend: { base_url: "${backend.url}" }
tools:
  - name: get_item
    description: Get.
    input: { type: object, properties: { id: { type: string, pattern: "^[a-z]+$" } }, required: [id], additionalProperties: false }
    request: { method: GET, path: "/items/{id}" }
    output: { type: object, properties: { path: { type: string } } }
  - name: boom
    description: Fails.
    request: { method: GET, path: /boom }
  - name: text
    description: Text.
    request: { method: GET, path: /text }
  - name: cached_item
    description: Cached.
    input: { type: object, properties: { id: { type: string } }, required: [id] }
    request: { method: GET, path: "/cached/{id}" }
    cache: { ttl: 1m }
  - name: limited
    description: Limited.
    rate_limit: { requests: 1, per: 1m }
    request: { method: GET, path: /l }
`;

let fast: TestGateway;
let slow: TestGateway;
beforeAll(async () => {
  const dir = toolsDir({ 't.yaml': TOOLS });
  [fast, slow] = await Promise.all([startGateway({ toolsDir: dir }), startGateway({ toolsDir: dir, mcpFastPath: false })]);
});
afterAll(async () => {
  await fast.stop();
  await slow.stop();
  backend.stop();
});

const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': {},
  'io.modelcontextprotocol/clientInfo': { name: 'eq', version: '1' },
};

function request(era: 'legacy' | 'modern', id: number | string, name: string, args: unknown) {
  const params: Record<string, unknown> = { name, arguments: args };
  const headers: Record<string, string> = {};
  if (era === 'modern') {
    params._meta = ENVELOPE;
    Object.assign(headers, { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': name });
  }
  return { body: JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params }), headers };
}

const CASES: Array<[string, string, unknown]> = [
  ['success with structured content', 'get_item', { id: 'abc' }],
  ['a backend 500', 'boom', {}],
  ['a text answer', 'text', {}],
  ['invalid arguments', 'get_item', { id: 'ABC', extra: 1 }],
  ['an unknown tool', 'nope', {}],
  ['arguments that are not an object', 'get_item', undefined],
];

for (const era of ['legacy', 'modern'] as const) {
  for (const [what, name, args] of CASES) {
    test(`${era}: ${what} is answered identically by the fast path and the SDK`, async () => {
      const r = request(era, 7, name, args);
      const [a, b] = await Promise.all([rawPost(fast.mcpUrl, r.body, r.headers), rawPost(slow.mcpUrl, r.body, r.headers)]);
      expect(a.status).toBe(b.status);
      expect(a.json).toEqual(b.json);
      expect(a.headers.get('content-type')).toBe('application/json');
    });
  }

  test(`${era}: a cached answer (frozen, shared by every hit) is the same on both paths, call after call`, async () => {
    const r = request(era, 3, 'cached_item', { id: era });
    for (const source of ['backend', 'cache', 'cache']) {
      const [a, b] = await Promise.all([rawPost(fast.mcpUrl, r.body, r.headers), rawPost(slow.mcpUrl, r.body, r.headers)]);
      expect(a.json.result._meta['nexus/source']).toBe(source);
      expect(a.json).toEqual(b.json);
      expect(a.json.result.structuredContent).toEqual({ path: `/cached/${era}`, n: 1 });
    }
  });

  test(`${era}: a rate-limited call is the same error with retryAfter on both paths`, async () => {
    const r = request(era, 'x', 'limited', {});
    await Promise.all([rawPost(fast.mcpUrl, r.body, r.headers), rawPost(slow.mcpUrl, r.body, r.headers)]);
    const [a, b] = await Promise.all([rawPost(fast.mcpUrl, r.body, r.headers), rawPost(slow.mcpUrl, r.body, r.headers)]);
    expect(a.json.error.code).toBe(-32029);
    expect(a.json).toEqual(b.json);
  });
}

test('a 2026-07-28 request whose Mcp-Name header disagrees with the body goes to the SDK, which refuses it', async () => {
  const r = request('modern', 1, 'get_item', { id: 'abc' });
  const [a, b] = await Promise.all([
    rawPost(fast.mcpUrl, r.body, { ...r.headers, 'mcp-name': 'boom' }),
    rawPost(slow.mcpUrl, r.body, { ...r.headers, 'mcp-name': 'boom' }),
  ]);
  expect([a.status, a.json]).toEqual([b.status, b.json]);
  expect(a.json.error).toBeDefined();
});

test('official SDK clients in both revisions call tools through the fast path', async () => {
  for (const rev of REVISIONS) {
    const client = await connect(fast.mcpUrl, rev);
    const res = await client.callTool({ name: 'get_item', arguments: { id: 'abc' } });
    await client.close();
    expect(res.structuredContent).toEqual({ path: '/items/abc', n: 1 });
  }
});
