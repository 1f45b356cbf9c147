// mcp-remote (Claude Desktop's bridge) spawned as a stdio process: on the HTTP+SSE transport it
// connects, lists and calls; on a transport the path does not serve it fails at once.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { startGateway, type TestGateway } from '../../helpers/gateway.ts';
import { mcpRemoteFailure, startMcpRemote } from '../../helpers/legacy-clients.ts';
import { pingFixture } from './ping-fixture.ts';

const { backend, dir } = pingFixture();

let gw: TestGateway;
beforeAll(async () => {
  gw = await startGateway({ toolsDir: dir });
});
afterAll(async () => {
  await gw.stop();
  backend.stop();
});

describe('mcp-remote', () => {
  for (const path of ['/sse', '/mcp']) {
    test(`--transport sse-only on ${path} connects, lists and calls`, async () => {
      const remote = await startMcpRemote(`${gw.url}${path}`, ['--transport', 'sse-only']);
      try {
        expect(remote.stderr()).toContain('Connected to remote server using SSEClientTransport');
        const { tools } = await remote.client.listTools();
        expect(tools.map((t) => t.name)).toEqual(['ping_backend']);
        const r = await remote.client.callTool({ name: 'ping_backend', arguments: {} });
        expect(r.structuredContent).toEqual({ ok: true });
      } finally {
        await remote.close();
      }
    });
  }

  test('the default (http-first) on /sse falls back to HTTP+SSE and works', async () => {
    const remote = await startMcpRemote(`${gw.url}/sse`);
    try {
      expect((await remote.client.listTools()).tools.map((t) => t.name)).toEqual(['ping_backend']);
    } finally {
      await remote.close();
    }
  });

  test('--transport http-only on /sse fails with a message naming /mcp', async () => {
    const stderr = await mcpRemoteFailure(`${gw.url}/sse`, ['--transport', 'http-only']);
    expect(stderr).toContain('Streamable HTTP clients use /mcp');
  });
});
