// Dropping, editing and removing tool files changes the live tool set without a restart.
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startBackend } from '../../helpers/backend.ts';
import { startGateway, type TestGateway, toolsDir, waitFor } from '../../helpers/gateway.ts';
import { connect, REVISIONS } from '../../helpers/mcp-client.ts';

const backend = startBackend();
const tool = (name: string, description = 'A tool.') => `
backend: { base_url: "${backend.url}" }
tools:
  - name: ${name}
    description: ${description}
    request: { method: GET, path: /x }
`;

let gw: TestGateway;
let dir: string;
beforeAll(async () => {
  dir = toolsDir({ 'a.yaml': tool('alpha') });
  gw = await startGateway({ toolsDir: dir });
});
afterAll(async () => {
  await gw.stop();
  backend.stop();
});

const names = async () => {
  const c = await connect(gw.mcpUrl, REVISIONS[0]!);
  const { tools } = await c.listTools();
  await c.close();
  return tools.map((t) => t.name).sort();
};

test('a new file adds its tools and clients hear tools/list_changed on the GET stream', async () => {
  const res = await fetch(gw.mcpUrl, { headers: { accept: 'text/event-stream' } });
  expect(res.headers.get('content-type')).toBe('text/event-stream');
  const reader = res.body!.getReader();
  writeFileSync(join(dir, 'b.yaml'), tool('beta'));
  await waitFor(async () => (await names()).includes('beta'), 5000, 'beta to appear');
  let seen = '';
  await waitFor(async () => {
    const { value } = await reader.read();
    seen += new TextDecoder().decode(value);
    return seen.includes('notifications/tools/list_changed');
  });
  await reader.cancel();
  expect(await names()).toEqual(['alpha', 'beta']);
});

// The SDK client has no listen() helper yet: the request is sent as a 2026-07-28 client sends it.
test('a 2026-07-28 client subscribed with subscriptions/listen is told the list changed', async () => {
  const res = await fetch(gw.mcpUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': 'subscriptions/listen',
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'subscriptions/listen',
      params: {
        notifications: { toolsListChanged: true },
        _meta: {
          'io.modelcontextprotocol/protocolVersion': '2026-07-28',
          'io.modelcontextprotocol/clientInfo': { name: 'nexus-test', version: '1.0.0' },
          'io.modelcontextprotocol/clientCapabilities': {},
        },
      },
    }),
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/event-stream');
  const reader = res.body!.getReader();
  let seen = '';
  const readUntil = (text: string, what: string) =>
    waitFor(
      async () => {
        const { value } = await reader.read();
        seen += new TextDecoder().decode(value);
        return seen.includes(text);
      },
      5000,
      what,
    );
  await readUntil('notifications/subscriptions/acknowledged', 'the subscription acknowledged');
  writeFileSync(join(dir, 'c.yaml'), tool('gamma'));
  await readUntil('notifications/tools/list_changed', 'list_changed on the listen stream');
  await reader.cancel();
  expect(await names()).toContain('gamma');
});

test('an edit changes a tool in place', async () => {
  writeFileSync(join(dir, 'a.yaml'), tool('alpha', 'Edited description.'));
  await waitFor(() => gw.app.registry.get('alpha')?.description === 'Edited description.', 5000, 'edit');
});

test('a broken edit keeps the previous set and logs every issue', async () => {
  const generation = gw.app.registry.current().generation;
  writeFileSync(join(dir, 'b.yaml'), tool('beta').replace('method: GET', 'method: FETCH'));
  await waitFor(() => gw.logs.some((l) => l.includes('tool reload rejected')), 5000, 'rejection log');
  expect(gw.app.registry.current().generation).toBe(generation);
  expect(gw.logs.some((l) => l.includes('request.method: expected one of GET, POST, PUT, PATCH, DELETE'))).toBe(true);
  expect(await names()).toEqual(['alpha', 'beta', 'gamma']);
});

test('removing a file removes its tools', async () => {
  rmSync(join(dir, 'b.yaml'));
  rmSync(join(dir, 'c.yaml'));
  await waitFor(async () => (await names()).join() === 'alpha', 5000, 'removal');
});
