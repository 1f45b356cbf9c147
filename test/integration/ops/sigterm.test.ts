// SIGTERM while a slow backend call is in flight: the call finishes, new requests are refused, the
// process exits 0 well before the drain timeout.
import { expect, test } from 'bun:test';
import { toolsDir, waitFor } from '../../helpers/gateway.ts';
import { rawPost } from '../../helpers/mcp-client.ts';
import { postToolCall, spawnServe, toolFile } from './fixture.ts';

test('SIGTERM during a slow backend call lets the call complete, refuses new requests, then exits 0 promptly', async () => {
  let inFlight = 0;
  const slow = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch() {
      inFlight++;
      await Bun.sleep(1500); // the slow backend itself, not a wait in the test
      return Response.json({ answer: 42 });
    },
  });
  const nexus = await spawnServe(toolsDir({ 'slow.yaml': toolFile('slow_report', `http://127.0.0.1:${slow.port}`) }), {
    NEXUS_SHUTDOWN_DELAY: '0s',
  });
  try {
    const call = postToolCall(nexus.mcpUrl, 'slow_report');
    await waitFor(() => inFlight === 1, 5000, 'the backend call to start');
    const signalled = performance.now();
    nexus.proc.kill('SIGTERM');
    await waitFor(() => nexus.stderr().includes('shutting down'), 5000, 'the shutdown log line');
    const late = await rawPost(new URL(nexus.mcpUrl), JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} })).then(
      (r) => `answered ${r.status}`,
      (e: { code?: string }) => e.code,
    );
    const answer = await call;
    const code = await nexus.proc.exited;
    expect({
      answer,
      late: late === 'ECONNREFUSED' || late === 'ECONNRESET' || late === 'answered 503',
      code,
      prompt: performance.now() - signalled < 10_000,
    }).toEqual({
      answer: {
        status: 200,
        body: {
          jsonrpc: '2.0',
          id: 1,
          result: {
            _meta: { 'nexus/source': 'backend', 'nexus/status': 200 },
            content: [{ type: 'text', text: '{"answer":42}' }],
            structuredContent: { answer: 42 },
            isError: false,
          },
        },
      },
      late: true,
      code: 0,
      prompt: true,
    });
  } finally {
    nexus.proc.kill('SIGKILL');
    slow.stop(true);
  }
}, 20_000);
