// Two instances sharing PostgreSQL and Redis in front of one MCP upstream whose tool is opted into the
// cache by the server entry: identical concurrent calls spread over both instances reach the upstream
// once; one call is the backend's answer, every other one is coalesced onto it.
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { createMcpHandler, Server } from '@modelcontextprotocol/server';
import { startTwoInstances, type TestGateway, type TwoInstances, toolsDir, waitFor } from '../../helpers/gateway.ts';
import { gate } from '../../unit/cache/contract.ts';

const held = gate();
const calls: string[] = [];
const handler = createMcpHandler(() => {
  const s = new Server({ name: 'counting', version: '1.0.0' }, { capabilities: { tools: {} } });
  s.setRequestHandler('tools/list', async () => ({
    tools: [{ name: 'report', description: 'A slow report.', inputSchema: { type: 'object', properties: { id: { type: 'integer' } } } }],
  }));
  s.setRequestHandler('tools/call', async (r) => {
    calls.push(JSON.stringify(r.params.arguments));
    await held.promise;
    return { content: [{ type: 'text', text: `report ${r.params.arguments?.id}` }] };
  });
  return s;
});
const upstream = Bun.serve({ port: 0, hostname: '127.0.0.1', idleTimeout: 0, fetch: (req) => handler.fetch(req) });

let two: TwoInstances;
let a: TestGateway;
let b: TestGateway;
beforeAll(async () => {
  const dir = toolsDir({
    'servers.yaml': `servers:
  - name: up
    url: http://127.0.0.1:${upstream.port}/mcp
    tools:
      report: { cache: { ttl: 1m } }
`,
  });
  two = await startTwoInstances(dir);
  ({ a, b } = two);
});
afterAll(async () => {
  held.open();
  await two?.stop();
  await handler.close();
  upstream.stop(true);
});

const call = async (g: TestGateway) => {
  const res = await fetch(`${g.url}/api/tools/up__report`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: 7 }),
  });
  return { status: res.status, body: await res.text(), source: res.headers.get('x-nexus-source') };
};

const misses = async (g: TestGateway) =>
  Number(/nexus_cache_misses_total\{tool="up__report"\} (\d+)/.exec(await g.app.metrics.render())?.[1] ?? 0);

test('identical concurrent calls over two instances reach the upstream once', async () => {
  const N = 6;
  const answers = Promise.all(Array.from({ length: N }, (_, i) => call(i % 2 ? b : a)));
  // every call has missed the cache and joined the one flight before the upstream answers
  await waitFor(async () => calls.length === 1 && (await misses(a)) + (await misses(b)) === N, 10_000, 'every call in flight');
  held.open();
  const got = await answers;
  expect(calls).toEqual(['{"id":7}']);
  expect(new Set(got.map((r) => `${r.status} ${r.body}`))).toEqual(new Set(['200 report 7']));
  expect(got.map((r) => r.source).sort()).toEqual(['backend', ...Array(N - 1).fill('coalesced')]);
  // and the next identical call, on either instance, is a cache hit
  expect([(await call(a)).source, (await call(b)).source, calls.length]).toEqual(['cache', 'cache', 1]);
});
