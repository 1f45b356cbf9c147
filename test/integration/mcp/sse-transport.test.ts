// Older clients on the deprecated HTTP+SSE transport (2024-11-05): SDK v1 SSEClientTransport of two
// eras connects on /sse (and on /mcp), lists and calls tools through the same pipeline as /mcp.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ToolListChangedNotificationSchema } from 'sdk-v1-latest/types.js';
import { startBackend } from '../../helpers/backend.ts';
import { startGateway, type TestGateway, toolsDir, waitFor } from '../../helpers/gateway.ts';
import { connectSse, SSE_CLIENTS } from '../../helpers/legacy-clients.ts';

const backend = startBackend((_req, url) =>
  Response.json({ key: decodeURIComponent(url.pathname.split('/').pop()!), summary: 'Broken login' }),
);
const TOOLS = `
backend: { base_url: ${backend.url}/api, timeout: 5s }
tools:
  - name: get_issue
    description: Fetch an issue by key.
    input:
      type: object
      properties: { key: { type: string } }
      required: [key]
    request: { method: GET, path: "/issue/{key}" }
`;

let gw: TestGateway;
let dir: string;
beforeAll(async () => {
  dir = toolsDir({ 'tools.yaml': TOOLS });
  gw = await startGateway({ toolsDir: dir });
});
afterAll(async () => {
  await gw.stop();
  backend.stop();
});

describe.each(SSE_CLIENTS)('$name over HTTP+SSE', (kind) => {
  for (const path of ['/sse', '/mcp']) {
    test(`connects on ${path}, lists and calls a tool`, async () => {
      const client = await connectSse(kind, new URL(`${gw.url}${path}`));
      try {
        const { tools } = await client.listTools();
        expect(tools.map((t) => t.name)).toEqual(['get_issue']);
        const r = await client.callTool({ name: 'get_issue', arguments: { key: 'PROJ-1' } });
        expect(r.isError).toBe(false);
        expect(r.structuredContent).toEqual({ key: 'PROJ-1', summary: 'Broken login' });
      } finally {
        await client.close();
      }
    });
  }
});

test('a session hears tools/list_changed when the tool set changes', async () => {
  const client = await connectSse(SSE_CLIENTS[0]!, new URL(`${gw.url}/sse`));
  let heard = 0;
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
    heard++;
  });
  writeFileSync(join(dir, 'more.yaml'), TOOLS.replaceAll('get_issue', 'get_other'));
  await waitFor(() => heard > 0, 10_000, 'tools/list_changed');
  expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual(['get_issue', 'get_other']);
  await client.close();
});

test('shutdown ends open HTTP+SSE streams instead of waiting out the drain timeout', async () => {
  const own = await startGateway({ toolsDir: toolsDir({ 'tools.yaml': TOOLS }), env: { NEXUS_DRAIN_TIMEOUT: '120s' } });
  const res = await fetch(`${own.url}/sse`, { headers: { accept: 'text/event-stream' } });
  const reader = res.body!.getReader();
  expect(new TextDecoder().decode((await reader.read()).value)).toStartWith('event: endpoint');
  const stopped = own.stop();
  for (;;) if ((await reader.read()).done) break;
  await stopped;
});

test('sessions are bounded by NEXUS_SSE_MAX_SESSIONS and counted in /metrics', async () => {
  await using own = await startGateway({ toolsDir: toolsDir({ 'tools.yaml': TOOLS }), env: { NEXUS_SSE_MAX_SESSIONS: '1' } });
  const open = () => fetch(`${own.url}/sse`, { headers: { accept: 'text/event-stream' } });
  const first = await open();
  const reader = first.body!.getReader();
  await reader.read();
  const second = await open();
  expect(second.status).toBe(503);
  expect((await second.json()).error.message).toContain('too many HTTP+SSE sessions (1)');
  const scrape = async () =>
    (await (await fetch(`${own.url}/metrics`)).text()).split('\n').find((l) => l.startsWith('nexus_sse_sessions '));
  expect(await scrape()).toBe('nexus_sse_sessions 1');
  await reader.cancel();
  expect(await waitFor(async () => (await scrape()) === 'nexus_sse_sessions 0')).toBe(true);
});

test('GET /sse/<toolset> serves a session on that set only; an unknown set is 404', async () => {
  const sets = `${TOOLS.replace('tools:', 'tools:\n  - { name: other_tool, description: Another., request: { method: GET, path: /x } }')}
toolsets:
  - name: issues
    include: [get_issue]
`;
  await using own = await startGateway({ toolsDir: toolsDir({ 'tools.yaml': sets }) });
  const client = await connectSse(SSE_CLIENTS[0]!, new URL(`${own.url}/sse/issues`));
  expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['get_issue']);
  await client.close();
  expect((await fetch(`${own.url}/sse/nope`, { headers: { accept: 'text/event-stream' } })).status).toBe(404);
});
