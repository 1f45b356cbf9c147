// Hostile input never changes the shape of a backend request and never takes the gateway down.
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { startBackend } from '../../helpers/backend.ts';
import { startGateway, type TestGateway, toolsDir } from '../../helpers/gateway.ts';
import { connect, REVISIONS, rawPost } from '../../helpers/mcp-client.ts';

const backend = startBackend((_req, url) => Response.json({ path: url.pathname }));
const TOOLS = `
backend: { base_url: "${backend.url}/api" }
tools:
  - name: get_item
    description: Fetch an item.
    input:
      type: object
      properties: { id: { type: string }, q: { type: string }, trace: { type: string }, doc: {} }
      required: [id]
    request:
      method: GET
      path: /items/{id}
      query: { q: "{q}" }
      headers: { X-Trace: "{trace}" }
  - name: put_doc
    description: Store a document.
    input: { type: object, properties: { doc: {} } }
    request: { method: POST, path: /docs }
`;

let gw: TestGateway;
beforeAll(async () => {
  gw = await startGateway({ toolsDir: toolsDir({ 't.yaml': TOOLS }), flags: { 'max-request-bytes': String(1024 * 1024) } });
});
afterAll(async () => {
  await gw.stop();
  backend.stop();
});

const call = (name: string, args: unknown, id = 1) =>
  rawPost(gw.mcpUrl, JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } }));

test('path traversal stays inside one encoded segment', async () => {
  const before = backend.requests.length;
  const r = await call('get_item', { id: '../../admin' });
  expect(r.json.result.isError).toBe(false);
  expect(backend.requests.slice(before).map((x) => x.path)).toEqual(['/api/items/..%2F..%2Fadmin']);
});

test('a dot-dot path value is refused before any request', async () => {
  const before = backend.requests.length;
  const r = await call('get_item', { id: '..' });
  expect(r.json.error.code).toBe(-32602);
  expect(r.json.error.data.issues).toEqual(['arguments.id: ".." is not a valid path segment']);
  expect(backend.requests.length).toBe(before);
});

test('query metacharacters in a value are data, not query syntax', async () => {
  const before = backend.requests.length;
  await call('get_item', { id: 'a?b=c#', q: 'x&admin=1#frag' });
  const [sent] = backend.requests.slice(before);
  expect([sent!.path, sent!.search]).toEqual(['/api/items/a%3Fb%3Dc%23', '?q=x%26admin%3D1%23frag']);
});

test('CR/LF in a header value is refused and nothing is sent', async () => {
  const before = backend.requests.length;
  const r = await call('get_item', { id: 'a', trace: 'x\r\nX-Admin: 1' });
  expect(r.json.error.code).toBe(-32602);
  expect(r.json.error.data.issues).toEqual(['header X-Trace: value contains a line break or NUL']);
  expect(backend.requests.length).toBe(before);
});

test('100,000-deep JSON gets a clear error and the server stays up', async () => {
  const deep = '['.repeat(100_000) + ']'.repeat(100_000);
  const body = `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"put_doc","arguments":{"doc":${deep}}}}`;
  const r = await rawPost(gw.mcpUrl, body);
  expect(r.status).toBeLessThan(500);
  expect([-32700, -32602, -32600]).toContain(r.json.error.code);
  const ok = await call('get_item', { id: 'still-up' });
  expect(ok.json.result.isError).toBe(false);
});

test('64-level-deep arguments beyond the limit are refused as invalid params', async () => {
  let doc: unknown = 'leaf';
  for (let i = 0; i < 100; i++) doc = { d: doc };
  const r = await call('put_doc', { doc });
  expect(r.json.error.code).toBe(-32602);
  expect(r.json.error.data.issues).toEqual(['arguments: nested deeper than 64 levels']);
});

test('a 50 MB body is refused with 413 and the server stays up', async () => {
  const big = new Uint8Array(50 * 1024 * 1024).fill(0x20);
  const r = await fetch(gw.mcpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: big,
  }).catch((e) => e);
  if (r instanceof Response) expect(r.status).toBe(413);
  const ok = await call('get_item', { id: 'after-big' });
  expect(ok.json.result.isError).toBe(false);
});

test('malformed JSON is a parse error, never a 500', async () => {
  const r = await rawPost(gw.mcpUrl, '{"jsonrpc": "2.0", "id": 1, "method": ');
  expect([r.status, r.json.error.code]).toEqual([400, -32700]);
});

test('a JSON-RPC batch is an invalid request', async () => {
  const r = await rawPost(gw.mcpUrl, '[{"jsonrpc":"2.0","id":1,"method":"ping"}]');
  expect([r.status, r.json.error.code]).toEqual([400, -32600]);
});

test('an unknown method is method-not-found', async () => {
  const r = await rawPost(gw.mcpUrl, '{"jsonrpc":"2.0","id":1,"method":"tools/explode"}');
  expect(r.json.error.code).toBe(-32601);
});

test('a foreign Origin gets 403 and a loopback Origin is served', async () => {
  const foreign = await rawPost(gw.mcpUrl, '{"jsonrpc":"2.0","id":1,"method":"ping"}', { origin: 'https://evil.example' });
  expect(foreign.status).toBe(403);
  const local = await rawPost(gw.mcpUrl, '{"jsonrpc":"2.0","id":1,"method":"ping"}', { origin: 'http://localhost:3000' });
  expect(local.status).toBe(200);
});

test('a rebinding Host header gets 403', async () => {
  const r = await rawPost(gw.mcpUrl, '{"jsonrpc":"2.0","id":1,"method":"ping"}', { host: 'attacker.example' });
  expect(r.status).toBe(403);
});

test('a 2026-07-28 client is authorised on the tool named in the body, not the Mcp-Name header', async () => {
  const client = await connect(gw.mcpUrl, REVISIONS[1]!);
  const r = await client.callTool({ name: 'get_item', arguments: { id: 'hdr' } });
  await client.close();
  expect(r.isError).toBe(false);
  const spoof = await rawPost(
    gw.mcpUrl,
    JSON.stringify({
      jsonrpc: '2.0',
      id: 7,
      method: 'tools/call',
      params: {
        name: 'no_such_tool',
        arguments: {},
        _meta: {
          'io.modelcontextprotocol/protocolVersion': '2026-07-28',
          'io.modelcontextprotocol/clientCapabilities': {},
          'io.modelcontextprotocol/clientInfo': { name: 'x', version: '1' },
        },
      },
    }),
    { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'get_item' },
  );
  expect(spoof.json.error).toBeDefined();
  expect(spoof.json.result).toBeUndefined();
});
