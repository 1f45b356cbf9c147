// A client trickling its request body (one byte at a time) gets 408 once NEXUS_BODY_TIMEOUT has passed
// and the connection is closed, on /mcp and /api alike (a raw TCP client, as an attacker would send).
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { connect } from 'node:net';
import { adminRoute } from '../../../src/http/admin-guard.ts';
import { startBackend } from '../../helpers/backend.ts';
import { startGateway, type TestGateway, toolsDir, waitFor } from '../../helpers/gateway.ts';

const backend = startBackend();
const TOOLS = `
backend: { base_url: "${backend.url}" }
tools:
  - name: make_thing
    description: Make a thing.
    input: { type: object, properties: { name: { type: string } } }
    request: { method: POST, path: /things }
`;

let gw: TestGateway;
beforeAll(async () => {
  gw = await startGateway({ toolsDir: toolsDir({ 't.yaml': TOOLS }), env: { NEXUS_BODY_TIMEOUT: '1s' } });
});
afterAll(async () => {
  await gw.stop();
  backend.stop();
});

/** Sends the headers, then one body byte every 200 ms; returns what the server wrote and whether it closed. */
async function trickle(path: string, port = gw.server.port, extraHeaders = '') {
  const sock = connect(port, '127.0.0.1');
  let answer = '';
  let closed = false;
  let sent = 0;
  sock.on('data', (d) => (answer += String(d)));
  sock.on('close', () => (closed = true));
  sock.on('error', () => {});
  sock.write(
    `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\n${extraHeaders}` +
      'Accept: application/json, text/event-stream\r\nContent-Length: 1000\r\n\r\n{',
  );
  const timer = setInterval(() => {
    if (closed || sent >= 999) return;
    sock.write(' ');
    sent++;
  }, 200);
  try {
    await waitFor(() => closed, 15_000, 'the server to close the connection');
  } finally {
    clearInterval(timer);
    sock.destroy();
  }
  return { status: answer.split('\r\n')[0], closed, complete: sent >= 999, closeHeader: /\r\nconnection: close\r\n/i.test(answer) };
}

test('a trickled body on /api and /mcp gets 408 and the connection is closed before the body is complete', async () => {
  const [api, mcp] = await Promise.all([trickle('/api/tools/make_thing'), trickle('/mcp')]);
  const expected = { status: 'HTTP/1.1 408 Request Timeout', closed: true, complete: false, closeHeader: true };
  expect({ api, mcp }).toEqual({ api: expected, mcp: expected });
  expect(backend.requests).toEqual([]);
});

test('an admin route reads its body under the same kind of deadline (408, connection closed)', async () => {
  let handled = 0;
  const admin = adminRoute('admin-token-slow', { maxBytes: 1 << 20, timeoutMs: 1000 });
  const handler = admin(async () => {
    handled++;
    return new Response('ok');
  });
  const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: (request) => handler({ request }) });
  try {
    const r = await trickle('/admin/keys', server.port!, 'Authorization: Bearer admin-token-slow\r\n');
    expect({ r, handled }).toEqual({
      r: { status: 'HTTP/1.1 408 Request Timeout', closed: true, complete: false, closeHeader: true },
      handled: 0,
    });
  } finally {
    server.stop(true);
  }
});
