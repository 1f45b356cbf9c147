// HTTP+SSE (2024-11-05) messages are traced like /mcp requests: a server span per POSTed message,
// continuing the POST's traceparent, open until the answer is on the stream, with the pipeline's spans
// under it. A POST relayed to the instance holding the stream keeps one trace across both instances.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { randomBytes } from 'node:crypto';
import { type SharedScope, sharedScope, startGateway, type TestGateway, waitFor } from '../../helpers/gateway.ts';
import { connectSse, SSE_CLIENTS } from '../../helpers/legacy-clients.ts';
import { type ReceivedSpan, spanTree, startOtlpReceiver } from '../../helpers/otlp.ts';
import { pingFixture } from '../mcp/ping-fixture.ts';

const { backend, dir } = pingFixture();
const receiver = startOtlpReceiver();
let scope: SharedScope;
let a: TestGateway;
let b: TestGateway;
let key: string;

beforeAll(async () => {
  scope = await sharedScope();
  const env = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: 'nexus-sse-test' };
  a = await startGateway({ toolsDir: dir, shared: scope, env });
  b = await startGateway({ toolsDir: dir, shared: scope, env });
  key = (await a.app.services.keys.create('alice', { tools: ['*'] })).key;
});
afterAll(async () => {
  await a?.stop();
  await b?.stop();
  backend.stop();
  receiver.stop();
  await scope?.cleanup();
});

/** Sends the client's POSTs to `other` instead of the instance it holds its stream on. */
const postsTo = (other: TestGateway) => (url: string | URL, init?: RequestInit) => {
  const u = new URL(url);
  if (init?.method === 'POST') u.port = String(other.server.port);
  return fetch(u, init);
};

/** Calls ping_backend over HTTP+SSE with a client trace context; returns that trace's spans. */
async function tracedCall(postFetch?: Parameters<typeof connectSse>[4]): Promise<{ spans: ReceivedSpan[]; clientSpan: string }> {
  const traceId = randomBytes(16).toString('hex');
  const clientSpan = randomBytes(8).toString('hex');
  const headers = { authorization: `Bearer ${key}`, traceparent: `00-${traceId}-${clientSpan}-01` };
  const client = await connectSse(SSE_CLIENTS[0]!, new URL(`${a.url}/sse`), headers, 10_000, postFetch);
  try {
    const r = await client.callTool({ name: 'ping_backend', arguments: {} });
    expect(r.structuredContent).toEqual({ ok: true });
  } finally {
    await client.close();
  }
  const mine = () => receiver.spans.filter((s) => s.traceId === traceId);
  await waitFor(
    async () => {
      await a.app.tracer.flush();
      await b.app.tracer.flush();
      return mine().some((s) => s.kind === 'client' && s.attributes['server.port'] === Number(new URL(backend.url).port));
    },
    10_000,
    'the backend call span',
  );
  return { spans: mine(), clientSpan };
}

const callSpans = (spans: ReceivedSpan[]) => spans.filter((s) => s.name === 'tools/call ping_backend' && s.kind === 'server');
const subtreeNames = (spans: ReceivedSpan[], root: ReceivedSpan): string[] => {
  const walk = (n: ReturnType<typeof spanTree>): string[] => [n.name, ...(n.children ?? []).flatMap(walk)];
  return walk(spanTree(spans, root));
};

describe('HTTP+SSE messages are traced', () => {
  test("a message on the holding instance: one server span, child of the POST's traceparent, over the pipeline", async () => {
    const { spans, clientSpan } = await tracedCall();
    const [server, ...more] = callSpans(spans);
    expect(more).toEqual([]);
    expect(server!.parentSpanId).toBe(clientSpan);
    expect(server!.attributes['http.route']).toBe('/messages');
    expect(server!.attributes['mcp.method.name']).toBe('tools/call');
    expect(server!.attributes['gen_ai.tool.name']).toBe('ping_backend');
    expect(server!.attributes['http.response.status_code']).toBe(202);
    const under = subtreeNames(spans, server!);
    expect(under).toContain('nexus.authenticate');
    // the call ran inside the span: the backend request's client span is under it
    expect(spans.some((s) => s.kind === 'client' && under.includes(s.name))).toBe(true);
  });

  test('a message relayed to the holding instance: its span is the child of the receiving instance', async () => {
    const { spans, clientSpan } = await tracedCall(postsTo(b));
    const calls = callSpans(spans);
    expect(calls).toHaveLength(2);
    const received = calls.find((s) => s.parentSpanId === clientSpan)!;
    const held = calls.find((s) => s.parentSpanId === received.spanId)!;
    expect(received).toBeDefined();
    expect(held).toBeDefined();
    expect(subtreeNames(spans, received)).toContain('nexus.authenticate');
    // authenticated on the receiving instance only
    expect(spanTree(spans, held).children?.map((c) => c.name) ?? []).not.toContain('nexus.authenticate');
    expect(spans.some((s) => s.kind === 'client' && subtreeNames(spans, held).includes(s.name))).toBe(true);
  });
});
