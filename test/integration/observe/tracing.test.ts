// One tools/call through two Nexus instances on shared PostgreSQL + Redis (A's tool calls B's REST API,
// B's tool the backend) with an OTLP/HTTP receiver stand-in: one trace from the client's _meta context
// to the backend, the backend sees the traceparent of B's client span, audit rows and log lines carry
// the ids, and a canary credential and argument value appear in no span, log line or audit row.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { randomBytes } from 'node:crypto';
import { startBackend } from '../../helpers/backend.ts';
import { type SharedScope, sharedScope, startGateway, type TestGateway, toolsDir, waitFor } from '../../helpers/gateway.ts';
import { connect, REVISIONS } from '../../helpers/mcp-client.ts';
import { type ReceivedSpan, spanTree, startOtlpReceiver } from '../../helpers/otlp.ts';

const secret = randomBytes(18).toString('base64');
const argCanary = randomBytes(12).toString('hex');
const clientTrace = randomBytes(16).toString('hex');
const clientSpan = randomBytes(8).toString('hex');

const backend = startBackend((_req, url) =>
  url.pathname === '/oauth/token'
    ? Response.json({ access_token: randomBytes(16).toString('hex'), expires_in: 3600 })
    : Response.json({ item: url.pathname.split('/').pop() }),
);
const receiver = startOtlpReceiver();
let scope: SharedScope;
let a: TestGateway;
let b: TestGateway;

const leaks = (text: string) =>
  [secret, Buffer.from(secret).toString('base64'), encodeURIComponent(secret), argCanary].filter((s) => text.includes(s));

beforeAll(async () => {
  scope = await sharedScope();
  const env = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: 'nexus-test' };
  const gateway = (yaml: string) => startGateway({ shared: scope, env, toolsDir: toolsDir({ 'tools.yaml': yaml }) });
  b = await gateway(`backend: { base_url: "${backend.url}", timeout: 5s }
tools:
  - name: lookup
    description: Looks an item up.
    input: { type: object, properties: { id: { type: string } }, required: [id] }
    request: { method: GET, path: "/items/{id}" }
    auth: { type: bearer, credential: backend-token }
    cache: { ttl: 1m }
  - name: oauth_lookup
    description: Looks an item up with an OAuth2 token.
    input: { type: object, properties: { id: { type: string } }, required: [id] }
    request: { method: GET, path: "/items/{id}" }
    auth: { type: oauth2_client_credentials, credential: oauth-app, token_url: "${backend.url}/oauth/token" }
`);
  a = await gateway(`backend: { base_url: "${b.url}", timeout: 5s }
tools:
  - name: relay
    description: Asks the other gateway.
    input: { type: object, properties: { id: { type: string } }, required: [id] }
    request: { method: POST, path: /api/tools/lookup, body: { id: "{id}" } }
`);
  await a.app.services.vault.put('backend-token', 'bearer', { token: secret });
  await a.app.services.vault.put('oauth-app', 'oauth2_client_credentials', { client_id: 'nexus', client_secret: secret });
});

afterAll(async () => {
  await a?.stop();
  await b?.stop();
  backend.stop();
  receiver.stop();
  await scope?.cleanup();
});

describe('one tools/call traced through two gateways', () => {
  let spans: ReceivedSpan[];
  let result: unknown;
  beforeAll(async () => {
    const client = await connect(a.mcpUrl, REVISIONS[1]!);
    result = await client.callTool({
      name: 'relay',
      arguments: { id: argCanary },
      _meta: { traceparent: `00-${clientTrace}-${clientSpan}-01` },
    });
    await client.close();
    await a.app.tracer.flush();
    await b.app.tracer.flush();
    const mine = () => receiver.spans.filter((s) => s.traceId === clientTrace);
    await waitFor(() => mine().some((s) => s.name === 'GET /items/{id}') && mine().some((s) => s.name === 'tools/call relay'));
    spans = mine();
  });

  test('the call succeeds through both gateways', () => {
    expect(result).toMatchObject({ isError: false, structuredContent: { item: argCanary } });
    expect(receiver.problems).toEqual([]);
    // the default encoding, OTLP protobuf (test/helpers/otlp-decode.ts reads it)
    expect(receiver.protobuf.length).toBeGreaterThan(0);
  });

  test('the spans form one tree under the client span from params._meta', () => {
    const root = spans.find((s) => s.parentSpanId === clientSpan)!;
    expect(spanTree(spans, root)).toEqual({
      name: 'tools/call relay',
      kind: 'server',
      children: [
        {
          name: 'execute_tool relay',
          kind: 'internal',
          children: [
            {
              name: 'POST /api/tools/lookup',
              kind: 'client',
              children: [
                {
                  name: 'POST /api/tools/lookup',
                  kind: 'server',
                  children: [
                    {
                      name: 'execute_tool lookup',
                      kind: 'internal',
                      children: [
                        { name: 'nexus.access', kind: 'internal' },
                        { name: 'nexus.arguments', kind: 'internal' },
                        {
                          name: 'nexus.cache',
                          kind: 'internal',
                          children: [
                            { name: 'GET /items/{id}', kind: 'client' },
                            { name: 'nexus.credential', kind: 'internal' },
                          ],
                        },
                        { name: 'nexus.limits', kind: 'internal' },
                      ],
                    },
                    { name: 'nexus.authenticate', kind: 'internal' },
                  ],
                },
              ],
            },
            { name: 'nexus.access', kind: 'internal' },
            { name: 'nexus.arguments', kind: 'internal' },
            { name: 'nexus.limits', kind: 'internal' },
          ],
        },
        { name: 'nexus.authenticate', kind: 'internal' },
      ],
    });
    expect(new Set(spans.map((s) => s.service))).toEqual(new Set(['nexus-test']));
  });

  test('spans carry the HTTP and MCP semantic convention attributes', () => {
    const server = spans.find((s) => s.name === 'tools/call relay')!;
    expect(server.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.route': '/mcp',
      'http.response.status_code': 200,
      'mcp.method.name': 'tools/call',
      'mcp.protocol.version': '2026-07-28',
      'gen_ai.tool.name': 'relay',
      'gen_ai.operation.name': 'execute_tool',
    });
    const lookup = spans.find((s) => s.name === 'execute_tool lookup')!;
    expect(lookup.attributes).toMatchObject({ 'gen_ai.tool.name': 'lookup', 'nexus.outcome': 'ok', 'nexus.cache': 'miss' });
    const out = spans.find((s) => s.name === 'GET /items/{id}')!;
    expect(out.attributes).toEqual({
      'http.request.method': 'GET',
      'server.address': '127.0.0.1',
      'server.port': backend.server.port,
      'url.scheme': 'http',
      'url.template': '/items/{id}',
      'http.response.status_code': 200,
    });
  });

  test('the backend receives the traceparent of the client span that called it', () => {
    const out = spans.find((s) => s.name === 'GET /items/{id}')!;
    const got = backend.requests.find((r) => r.path === `/items/${argCanary}`)!;
    expect(got.headers.traceparent).toBe(`00-${clientTrace}-${out.spanId}-01`);
  });

  test('audit rows and log lines carry the trace and span ids of their call', async () => {
    const call = (name: string) => spans.find((s) => s.name === `execute_tool ${name}`)!;
    await a.app.services.audit.flush();
    await b.app.services.audit.flush();
    const rows = await a.app.services.auditStore.query({ since: 0 });
    expect(rows.map((r) => [r.tool, r.traceId, r.spanId]).sort()).toEqual([
      ['lookup', clientTrace, call('lookup').spanId],
      ['relay', clientTrace, call('relay').spanId],
    ]);
    const line = b.logs.map((l) => JSON.parse(l)).find((l) => l.msg === 'tool call' && l.tool === 'lookup');
    expect(line).toMatchObject({ traceId: clientTrace, spanId: call('lookup').spanId });
  });

  test('neither the credential nor an argument value appears in any span, log line or audit row', async () => {
    expect(leaks(receiver.raw.join('\n'))).toEqual([]);
    expect(leaks([...a.logs, ...b.logs].join('\n'))).toEqual([]);
    const rows = await a.app.services.auditStore.query({ since: 0 });
    expect(leaks(JSON.stringify(rows))).toEqual([]);
  });
});

test('a REST call continues the traceparent header, and a token refresh is a client span the token endpoint sees', async () => {
  const trace = randomBytes(16).toString('hex');
  const parent = randomBytes(8).toString('hex');
  const res = await fetch(`${b.url}/api/tools/oauth_lookup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', traceparent: `00-${trace}-${parent}-01` },
    body: JSON.stringify({ id: argCanary }),
  });
  expect(res.status).toBe(200);
  await b.app.tracer.flush();
  const mine = () => receiver.spans.filter((s) => s.traceId === trace);
  await waitFor(() => mine().some((s) => s.name === 'POST /api/tools/oauth_lookup'));
  const spans = mine();
  expect(spanTree(spans, spans.find((s) => s.parentSpanId === parent)!)).toEqual({
    name: 'POST /api/tools/oauth_lookup',
    kind: 'server',
    children: [
      {
        name: 'execute_tool oauth_lookup',
        kind: 'internal',
        children: [
          { name: 'GET /items/{id}', kind: 'client' },
          { name: 'nexus.access', kind: 'internal' },
          { name: 'nexus.arguments', kind: 'internal' },
          { name: 'nexus.credential', kind: 'internal', children: [{ name: 'nexus.token.refresh', kind: 'client' }] },
          { name: 'nexus.limits', kind: 'internal' },
        ],
      },
      { name: 'nexus.authenticate', kind: 'internal' },
    ],
  });
  const refresh = spans.find((s) => s.name === 'nexus.token.refresh')!;
  const token = backend.requests.find((r) => r.path === '/oauth/token')!;
  expect(token.headers.traceparent).toBe(`00-${trace}-${refresh.spanId}-01`);
  expect(leaks(receiver.raw.join('\n'))).toEqual([]);
});
