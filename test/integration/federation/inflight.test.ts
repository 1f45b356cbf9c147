// In-flight semantics through Nexus: upstream progress reaches the client, a client's cancellation
// reaches the upstream, slow and dead upstreams fail fast with isError, a restarted one is used again.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { type FixtureUpstream, startStatefulUpstream } from '../../fixtures/upstream/fixture.ts';
import { startGateway, type TestGateway, toolsDir, waitFor } from '../../helpers/gateway.ts';
import { connect, REVISIONS } from '../../helpers/mcp-client.ts';

let upstream: FixtureUpstream;
let gw: TestGateway;
let deadPort: number;

beforeAll(async () => {
  upstream = startStatefulUpstream();
  const closed = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response('') });
  deadPort = closed.port!;
  closed.stop(true);
  gw = await startGateway({
    toolsDir: toolsDir({
      'servers.yaml': `servers:
  - name: fx
    url: ${upstream.url.href}
    protocol: "2025-11-25"
  - name: quick
    url: ${upstream.url.href}
    protocol: "2025-11-25"
    timeout: 300ms
    include: ["slow"]
  - name: dead
    url: http://127.0.0.1:${deadPort}/mcp
`,
    }),
  });
  await gw.app.upstreams.settled();
});
afterAll(async () => {
  await gw?.stop();
  await upstream?.stop();
});

for (const rev of REVISIONS) {
  describe(`a ${rev.name} client`, () => {
    test("receives the upstream's progress notifications", async () => {
      const client = await connect(gw.mcpUrl, rev);
      const seen: Array<{ progress: number; message?: string }> = [];
      const r = await client.callTool(
        { name: 'fx__slow', arguments: { ms: 100 } },
        { onprogress: (p) => seen.push({ progress: p.progress, ...(p.message && { message: p.message }) }) },
      );
      await client.close();
      expect(r.content).toEqual([{ type: 'text', text: 'done' }]);
      expect(seen[0]).toEqual({ progress: 1, message: 'step 1' });
    });

    test('cancelling a call cancels the upstream call', async () => {
      const client = await connect(gw.mcpUrl, rev);
      const before = upstream.state.cancelled.length;
      const ac = new AbortController();
      const call = client.callTool({ name: 'fx__slow', arguments: { ms: 5000 } }, { signal: ac.signal, onprogress: () => ac.abort() });
      await expect(call).rejects.toThrow();
      await waitFor(() => upstream.state.cancelled.length > before, 4000, 'the upstream to see the cancellation');
      await client.close();
    });
  });
}

test('a slow upstream fails within its timeout as an isError result naming the server', async () => {
  const client = await connect(gw.mcpUrl, REVISIONS[0]!);
  const r = await client.callTool({ name: 'quick__slow', arguments: { ms: 3000 } });
  await client.close();
  expect([r.isError, r.content]).toEqual([true, [{ type: 'text', text: 'server quick did not answer within 300ms' }]]);
});

test('a dead upstream is reported down and serves no tools, without failing the gateway', async () => {
  const res = await fetch(`${gw.url}/readyz`);
  const body = (await res.json()) as { status: string; upstreams: Array<{ name: string; state: string; error?: string }> };
  expect(body.status).toBe('ready');
  expect(body.upstreams.find((u) => u.name === 'dead') as unknown).toEqual({
    name: 'dead',
    state: 'down',
    tools: 0,
    error: 'server dead is unreachable (connection refused)',
  });
  expect(gw.app.registry.current().tools.some((t) => t.name.startsWith('dead__'))).toBe(false);
});

test('an upstream that restarted (its sessions gone) is used again with a new session', async () => {
  const client = await connect(gw.mcpUrl, REVISIONS[0]!);
  await client.callTool({ name: 'fx__echo', arguments: { text: 'before' } });
  const before = upstream.state.initializes;
  await upstream.restart();
  const r = await client.callTool({ name: 'fx__echo', arguments: { text: 'after' } });
  await client.close();
  expect(r.content).toEqual([{ type: 'text', text: 'after' }]);
  expect(upstream.state.initializes).toBeGreaterThan(before);
});

test('an HTTP+SSE (2024-11-05) client receives progress on its session stream, and its cancellation reaches the upstream', async () => {
  const { Client: V1Client } = await import('sdk-v1-latest/client/index.js');
  const { SSEClientTransport } = await import('sdk-v1-latest/client/sse.js');
  const client = new V1Client({ name: 'sse-inflight', version: '1' });
  await client.connect(new SSEClientTransport(new URL(`${gw.url}/sse`)));
  try {
    const seen: number[] = [];
    await client.callTool({ name: 'fx__slow', arguments: { ms: 100 } }, undefined, { onprogress: (p) => void seen.push(p.progress) });
    expect(seen[0]).toBe(1);
    const before = upstream.state.cancelled.length;
    const ac = new AbortController();
    const call = client.callTool({ name: 'fx__slow', arguments: { ms: 5000 } }, undefined, {
      signal: ac.signal,
      onprogress: () => ac.abort(),
    });
    await expect(call).rejects.toThrow();
    await waitFor(() => upstream.state.cancelled.length > before, 4000, 'the upstream to see the cancellation');
  } finally {
    await client.close();
  }
});
