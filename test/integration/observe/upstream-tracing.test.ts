// A tools/call to a federated MCP server is a client span under the call's execute_tool span, and the
// upstream receives that span's trace context twice: the traceparent header (Streamable HTTP) and
// params._meta.traceparent (any transport) — on the direct path and on the SDK client's.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { randomBytes } from 'node:crypto';
import { startStatefulUpstream, startStatelessUpstream } from '../../fixtures/upstream/fixture.ts';
import { startGateway, type TestGateway, toolsDir, waitFor } from '../../helpers/gateway.ts';
import { connect, REVISIONS } from '../../helpers/mcp-client.ts';
import { type ReceivedSpan, startOtlpReceiver } from '../../helpers/otlp.ts';

const receiver = startOtlpReceiver();
const legacy = startStatefulUpstream();
const modern = startStatelessUpstream();
// a tool that mirrors an argument into a header (x-mcp-header): the SDK client makes that call
modern.state.extra.push({
  name: 'regional',
  description: 'Mirrors region into Mcp-Param-Region.',
  inputSchema: { type: 'object', properties: { region: { type: 'string', 'x-mcp-header': 'Region' } } } as never,
});
let gw: TestGateway;

beforeAll(async () => {
  gw = await startGateway({
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: 'nexus-test' },
    toolsDir: toolsDir({
      'servers.yaml': `servers:
  - name: old
    url: ${legacy.url.href}
    protocol: "2025-11-25"
  - name: new
    url: ${modern.url.href}
    protocol: "2026-07-28"
`,
    }),
  });
  await gw.app.upstreams.settled();
});
afterAll(async () => {
  await gw?.stop();
  await legacy.stop();
  await modern.stop();
  receiver.stop();
});

/** Calls `tool` under a fresh client trace; the spans of that trace once the upstream call's span arrived. */
async function tracedCall(tool: string, args: Record<string, unknown>, upstreamTool: string) {
  const trace = randomBytes(16).toString('hex');
  const client = await connect(gw.mcpUrl, REVISIONS[1]!);
  const result = await client.callTool({
    name: tool,
    arguments: args,
    _meta: { traceparent: `00-${trace}-${randomBytes(8).toString('hex')}-01` },
  });
  await client.close();
  await gw.app.tracer.flush();
  const mine = () => receiver.spans.filter((s) => s.traceId === trace);
  const span = await waitFor(() => mine().find((s) => s.name === `tools/call ${upstreamTool}` && s.kind === 'client'));
  return { trace, result, span, spans: mine() };
}

const parentOf = (spans: ReceivedSpan[], s: ReceivedSpan) => spans.find((p) => p.spanId === s.parentSpanId);

for (const [label, upstream, server, protocol] of [
  ['a stateful 2025-11-25 server', legacy, 'old', '2025-11-25'],
  ['a stateless 2026-07-28 server', modern, 'new', '2026-07-28'],
] as const) {
  describe(`a call to ${label}`, () => {
    let got: Awaited<ReturnType<typeof tracedCall>>;
    beforeAll(async () => {
      got = await tracedCall(`${server}__echo`, { text: 'traced' }, 'echo');
    });

    test('is a client span under the execute_tool span, with the MCP attributes', () => {
      expect(got.result.content).toEqual([{ type: 'text', text: 'traced' }]);
      const parent = parentOf(got.spans, got.span)!;
      expect([parent.name, parentOf(got.spans, parent)?.name]).toEqual([`execute_tool ${server}__echo`, `tools/call ${server}__echo`]);
      expect(got.span.attributes).toEqual({
        'mcp.method.name': 'tools/call',
        'gen_ai.tool.name': 'echo',
        'gen_ai.operation.name': 'execute_tool',
        'mcp.protocol.version': protocol,
        'network.transport': 'tcp',
        'server.address': '127.0.0.1',
        'server.port': Number(upstream.url.port),
        'nexus.upstream': server,
      });
    });

    test("sends the client span's traceparent as a header and in params._meta", () => {
      const sent = `00-${got.trace}-${got.span.spanId}-01`;
      expect(upstream.state.traces.filter((t) => t.header?.includes(got.trace))).toEqual([{ tool: 'echo', header: sent, meta: sent }]);
    });
  });
}

test('a call the SDK client makes (an x-mcp-header tool) carries the same trace context', async () => {
  const got = await tracedCall('new__regional', { region: 'eu' }, 'regional');
  const sent = `00-${got.trace}-${got.span.spanId}-01`;
  expect(modern.state.traces.filter((t) => t.header?.includes(got.trace))).toEqual([{ tool: 'regional', header: sent, meta: sent }]);
});

test('with tracing off, upstream calls carry no trace context', async () => {
  const quiet = await startGateway({
    toolsDir: toolsDir({ 'servers.yaml': `servers:\n  - name: new\n    url: ${modern.url.href}\n    protocol: "2026-07-28"\n` }),
  });
  await quiet.app.upstreams.settled();
  const before = modern.state.traces.length;
  const client = await connect(quiet.mcpUrl, REVISIONS[1]!);
  const r = await client.callTool({ name: 'new__echo', arguments: { text: 'untraced' } });
  await client.close();
  await quiet.stop();
  expect([r.content, modern.state.traces.length]).toEqual([[{ type: 'text', text: 'untraced' }], before]);
});
