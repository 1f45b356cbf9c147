// Tool names sent by clients never become unbounded state: 300 calls naming distinct huge tools
// (200 KB over the MCP fast path and through the SDK, 6 KB in a REST URL) leave /metrics small, and audit rows and log lines carry
// the name clipped; unknown and denied names are counted under one label.
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { startBackend } from '../../helpers/backend.ts';
import { startGateway, type TestGateway, toolsDir } from '../../helpers/gateway.ts';
import { rawPost } from '../../helpers/mcp-client.ts';

const backend = startBackend();
const TOOLS = `
backend: { base_url: "${backend.url}" }
tools:
  - name: get_item
    description: Get an item.
    request: { method: GET, path: /item }
  - name: secret_item
    description: Not for the test key.
    request: { method: GET, path: /secret }
`;

let gw: TestGateway;
let key: string;
beforeAll(async () => {
  gw = await startGateway({ toolsDir: toolsDir({ 't.yaml': TOOLS }) });
  key = (await gw.app.services.keys.create('names-test', { tools: ['get_item'] })).key;
});
afterAll(async () => {
  await gw.stop();
  backend.stop();
});

const auth = () => ({ authorization: `Bearer ${key}` });
const hugeName = (i: number, kb = 200) => `${String(i).padStart(4, '0')}${'x'.repeat(kb * 1024)}`;

test('300 calls with distinct huge tool names leave /metrics, audit rows and log lines bounded', async () => {
  const answers: number[] = [];
  for (let i = 0; i < 300; i++) {
    const name = hugeName(i);
    const via = i % 3;
    if (via === 0) {
      const r = await rawPost(
        gw.mcpUrl,
        JSON.stringify({ jsonrpc: '2.0', id: i, method: 'tools/call', params: { name, arguments: {} } }),
        auth(),
      );
      answers.push(r.json?.error?.code);
    } else if (via === 1) {
      // an extra params member sends the request through the SDK rather than the fast path
      const params = { name, arguments: {}, _meta: { progressToken: i } };
      const r = await rawPost(gw.mcpUrl, JSON.stringify({ jsonrpc: '2.0', id: i, method: 'tools/call', params }), auth());
      answers.push(r.json?.error?.code);
    } else {
      // Bun refuses a 200 KB request line (431) before Nexus sees it: 6 KB names reach the REST edge
      const r = await fetch(`${gw.url}/api/tools/${hugeName(i, 6)}`, { method: 'POST', headers: auth() });
      answers.push(r.status);
      await r.body?.cancel();
    }
  }
  const denied = await rawPost(
    gw.mcpUrl,
    JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'secret_item', arguments: {} } }),
    auth(),
  );
  const metrics = await (await fetch(`${gw.url}/metrics`)).text();
  await gw.app.services.audit.flush();
  const rows = await gw.app.services.auditStore.query({ limit: 1000 });
  const calls = metrics.split('\n').filter((l) => l.startsWith('nexus_tool_calls_total{'));
  expect({
    mcpErrors: [...new Set(answers.filter((_, i) => i % 3 !== 2))],
    restStatuses: [...new Set(answers.filter((_, i) => i % 3 === 2))],
    denied: denied.json.error.code,
    metricsUnder10KB: metrics.length < 10_000,
    calls: calls.sort(),
    rows: rows.length,
    longestAuditTool: Math.max(...rows.map((r) => r.tool.length)) <= 100,
    longestLogLine: Math.max(...gw.logs.map((l) => l.length)) < 4096,
  }).toEqual({
    mcpErrors: [-32602],
    restStatuses: [400],
    denied: -32602,
    metricsUnder10KB: true,
    calls: [
      'nexus_tool_calls_total{outcome="denied",tool="(unknown)"} 1',
      'nexus_tool_calls_total{outcome="invalid",tool="(unknown)"} 300',
    ],
    rows: 301,
    longestAuditTool: true,
    longestLogLine: true,
  });
}, 60_000);

test('a well-formed unknown name and a denied one are both counted under the one unknown label', async () => {
  const before = await (await fetch(`${gw.url}/metrics`)).text();
  const count = (text: string) => Number(/nexus_tool_calls_total\{outcome="denied",tool="\(unknown\)"\} (\d+)/.exec(text)?.[1] ?? 0);
  for (const name of ['no_such_tool', 'secret_item'])
    await rawPost(gw.mcpUrl, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: {} } }), auth());
  const after = await (await fetch(`${gw.url}/metrics`)).text();
  expect({ added: count(after) - count(before), leaked: /no_such_tool|secret_item/.test(after) }).toEqual({ added: 2, leaked: false });
});
