// Cancelling a call to an HTTP tool reaches the backend: a 2025-11-25 client's notifications/cancelled
// (a POST of its own) and a dropped request both abort the backend request, on the fast path and
// through the SDK, for uncached and cached (coalesced) tools.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { startGateway, type TestGateway, toolsDir, waitFor } from '../../helpers/gateway.ts';
import { rawPost } from '../../helpers/mcp-client.ts';

// Answers only when the request is aborted: every request it sees either ends in an abort or hangs
const started: string[] = [];
const aborted: string[] = [];
const backend = Bun.serve({
  port: 0,
  hostname: '127.0.0.1',
  fetch: (req) =>
    new Promise<Response>((resolve) => {
      const path = new URL(req.url).pathname;
      started.push(path);
      req.signal.addEventListener('abort', () => {
        aborted.push(path);
        resolve(new Response('gone'));
      });
    }),
});
const TOOLS = `
backend: { base_url: "http://127.0.0.1:${backend.port}", timeout: 30s }
tools:
  - name: hang
    description: Never answers.
    input: { type: object, properties: { id: { type: string } }, required: [id] }
    request: { method: GET, path: "/hang/{id}" }
  - name: hang_cached
    description: Never answers, cached.
    input: { type: object, properties: { id: { type: string } }, required: [id] }
    request: { method: GET, path: "/cached/{id}" }
    cache: { ttl: 1m }
`;

const gateways: Record<string, TestGateway> = {};
beforeAll(async () => {
  const dir = toolsDir({ 'hang.yaml': TOOLS });
  gateways.fast = await startGateway({ toolsDir: dir });
  gateways.sdk = await startGateway({ toolsDir: dir, mcpFastPath: false });
});
afterAll(async () => {
  for (const gw of Object.values(gateways)) await gw.stop();
  backend.stop(true);
});

const call = (id: number, tool: string, arg: string) =>
  JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: tool, arguments: { id: arg } } });

let n = 0;
for (const path of ['fast', 'sdk'] as const) {
  describe(`${path} path`, () => {
    for (const tool of ['hang', 'hang_cached']) {
      const prefix = tool === 'hang' ? '/hang/' : '/cached/';

      test(`notifications/cancelled aborts the backend request (${tool})`, async () => {
        const gw = gateways[path]!;
        const arg = `c${++n}`;
        const answer = rawPost(gw.mcpUrl, call(n, tool, arg));
        await waitFor(() => started.includes(prefix + arg), 5000, 'the backend request');
        const note = { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: n, reason: 'user' } };
        await rawPost(gw.mcpUrl, JSON.stringify(note));
        await waitFor(() => aborted.includes(prefix + arg), 5000, 'the backend to see the abort');
        await answer;
      });

      test(`a dropped request aborts the backend request (${tool})`, async () => {
        const gw = gateways[path]!;
        const arg = `d${++n}`;
        const client = new AbortController();
        const answer = fetch(gw.mcpUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
          body: call(n, tool, arg),
          signal: client.signal,
        }).catch((e: Error) => e.name);
        await waitFor(() => started.includes(prefix + arg), 5000, 'the backend request');
        client.abort();
        expect(await answer).toBe('AbortError');
        await waitFor(() => aborted.includes(prefix + arg), 5000, 'the backend to see the abort');
      });
    }
  });
}
