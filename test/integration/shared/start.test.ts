// Shared mode starts on the real PostgreSQL and Redis, and two instances serve as one cluster.
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { startBackend } from '../../helpers/backend.ts';
import { type SharedScope, sharedScope, startGateway, type TestGateway, toolsDir } from '../../helpers/gateway.ts';
import { connect, REVISIONS } from '../../helpers/mcp-client.ts';

const backend = startBackend((_r, url) => Response.json({ path: url.pathname }));
let scope: SharedScope;
let a: TestGateway;
let b: TestGateway;
beforeAll(async () => {
  scope = await sharedScope();
  const dir = toolsDir({
    't.yaml': `backend: { base_url: "${backend.url}" }\ntools:\n  - name: ping_backend\n    description: P.\n    request: { method: GET, path: /p }\n`,
  });
  [a, b] = await Promise.all([startGateway({ toolsDir: dir, shared: scope }), startGateway({ toolsDir: dir, shared: scope })]);
});
afterAll(async () => {
  await a?.stop();
  await b?.stop();
  await scope?.cleanup();
  backend.stop();
});

test('two instances started at once migrate one shared store and both answer /readyz', async () => {
  for (const gw of [a, b]) {
    const r = await fetch(`${gw.url}/readyz`);
    expect(await r.json()).toEqual({ status: 'ready', checks: { tools: '1 loaded', store: 'ok', redis: 'ok' } });
  }
});

test('a 2026-07-28 client can send one request to instance A and the next to instance B', async () => {
  const ca = await connect(a.mcpUrl, REVISIONS[1]!);
  const cb = await connect(b.mcpUrl, REVISIONS[1]!);
  expect((await ca.callTool({ name: 'ping_backend', arguments: {} })).structuredContent).toEqual({ path: '/p' });
  expect((await cb.callTool({ name: 'ping_backend', arguments: {} })).structuredContent).toEqual({ path: '/p' });
  await ca.close();
  await cb.close();
});
