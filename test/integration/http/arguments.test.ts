// Arguments a tool's schema does not declare never reach the backend, invalid UTF-8 (or a lone
// surrogate) is refused rather than replaced, and a backend answer nested absurdly deep is a clear
// tool error, over MCP (both revisions) and REST.
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { startBackend } from '../../helpers/backend.ts';
import { startGateway, type TestGateway, toolsDir } from '../../helpers/gateway.ts';
import { connect, REVISIONS, rawPost } from '../../helpers/mcp-client.ts';

const DEEP = `{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
const backend = startBackend((_req, url) => {
  if (url.pathname === '/deep') return new Response(DEEP, { headers: { 'content-type': 'application/json' } });
  return Response.json({ ok: true });
});
const TOOLS = `
backend: { base_url: "${backend.url}" }
tools:
  - name: update_user
    description: Update a user (no additionalProperties said).
    input:
      type: object
      properties:
        name: { type: string }
        address: { type: object, properties: { city: { type: string } } }
    request: { method: POST, path: /users }
  - name: open_user
    description: Update a user, any extra field allowed.
    input: { type: object, properties: { name: { type: string } }, additionalProperties: true }
    request: { method: POST, path: /open }
  - name: deep_answer
    description: Answers JSON nested 100,000 deep.
    request: { method: GET, path: /deep }
`;

let gw: TestGateway;
beforeAll(async () => {
  gw = await startGateway({ toolsDir: toolsDir({ 't.yaml': TOOLS }) });
});
afterAll(async () => {
  await gw.stop();
  backend.stop();
});

const rest = async (name: string, body: string | Uint8Array) => {
  const r = await fetch(`${gw.url}/api/tools/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: body as BodyInit,
  });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
};
const mcpCall = (name: string, args: string) =>
  rawPost(gw.mcpUrl, `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"${name}","arguments":${args}}}`);

test('an argument the schema does not declare is refused over MCP (both revisions) and REST; the backend sees nothing', async () => {
  backend.requests.length = 0;
  const errors: string[] = [];
  for (const revision of REVISIONS) {
    const client = await connect(gw.mcpUrl, revision);
    const r = await client.callTool({ name: 'update_user', arguments: { name: 'bob', is_admin: true } }).catch((e: Error) => e);
    errors.push(r instanceof Error ? r.message : `answered ${JSON.stringify(r)}`);
    await client.close();
  }
  const nested = await rest('update_user', JSON.stringify({ name: 'bob', address: { city: 'x', is_admin: true } }));
  const top = await rest('update_user', JSON.stringify({ name: 'bob', is_admin: true }));
  expect({
    mcp: errors.map((m) => m.includes('arguments.is_admin: is not allowed')),
    top: [top.status, top.body.issues],
    nested: [nested.status, nested.body.issues],
    backend: backend.requests,
  }).toEqual({
    mcp: [true, true],
    top: [400, ['arguments.is_admin: is not allowed']],
    nested: [400, ['arguments.address.is_admin: is not allowed']],
    backend: [],
  });
});

test('declared arguments, and extra ones where the schema allows them explicitly, still reach the backend', async () => {
  backend.requests.length = 0;
  const a = await rest('update_user', JSON.stringify({ name: 'bob', address: { city: 'Paris' } }));
  const b = await rest('open_user', JSON.stringify({ name: 'bob', note: 'extra' }));
  expect([a.status, b.status]).toEqual([200, 200]);
  expect(backend.requests.map((r) => JSON.parse(r.body))).toEqual([
    { name: 'bob', address: { city: 'Paris' } },
    { name: 'bob', note: 'extra' },
  ]);
});

test('invalid UTF-8 in a raw body is refused over MCP and REST, never replaced with U+FFFD', async () => {
  backend.requests.length = 0;
  const enc = new TextEncoder();
  const withBadByte = (prefix: string, suffix: string) => new Uint8Array([...enc.encode(prefix), 0xff, 0xfe, ...enc.encode(suffix)]);
  const m = await rawPost(
    gw.mcpUrl,
    withBadByte('{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"open_user","arguments":{"name":"', '"}}}'),
  );
  const r = await rest('open_user', withBadByte('{"name":"', '"}'));
  expect({ mcp: [m.status, m.json.error.code, m.json.error.message], rest: [r.status, r.body.detail], backend: backend.requests }).toEqual({
    mcp: [400, -32700, 'Parse error: request body is not valid UTF-8'],
    rest: [400, 'request body is not valid UTF-8'],
    backend: [],
  });
});

test('a lone surrogate escape in an argument is refused over MCP and REST', async () => {
  backend.requests.length = 0;
  const m = await mcpCall('open_user', '{"name":"\\ud800"}');
  const r = await rest('open_user', '{"name":"a\\udc00b"}');
  const issue = 'arguments: a string is not valid Unicode (lone surrogate)';
  expect({ mcp: [m.json.error.code, m.json.error.data.issues], rest: [r.status, r.body.issues], backend: backend.requests }).toEqual({
    mcp: [-32602, [issue]],
    rest: [400, [issue]],
    backend: [],
  });
});

test('a backend answer nested 100,000 deep is an isError result naming the depth limit (502 over REST), not an internal error', async () => {
  const m = await mcpCall('deep_answer', '{}');
  const r = await rest('deep_answer', '{}');
  const text = 'Backend answer is nested deeper than 256 levels (HTTP 200); refused';
  expect({
    mcp: [m.status, m.json.result.isError, m.json.result.content],
    rest: [r.status, r.body.code, r.body.detail],
    rangeErrors: gw.logs.filter((l) => l.includes('RangeError') || l.includes('internal error')),
  }).toEqual({
    mcp: [200, true, [{ type: 'text', text }]],
    rest: [502, 'UPSTREAM_ERROR', text],
    rangeErrors: [],
  });
});
