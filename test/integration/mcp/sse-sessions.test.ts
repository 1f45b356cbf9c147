// HTTP+SSE sessions under the same guards as /mcp: Host/Origin on /sse and /messages, a credential on
// both, a session usable only by the caller that opened it, and a wrong transport refused at once.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { Client as ClientV2, StreamableHTTPClientTransport as StreamableV2 } from '@modelcontextprotocol/client';
import { startGateway, type TestGateway } from '../../helpers/gateway.ts';
import { connectSse, SSE_CLIENTS } from '../../helpers/legacy-clients.ts';
import { pingFixture } from './ping-fixture.ts';

const { backend, dir } = pingFixture();

let gw: TestGateway;
const keys: Record<string, string> = {};
beforeAll(async () => {
  gw = await startGateway({ toolsDir: dir });
  keys.alice = (await gw.app.services.keys.create('alice', { tools: ['*'] })).key;
  keys.bob = (await gw.app.services.keys.create('bob', { tools: ['*'] })).key;
});
afterAll(async () => {
  await gw.stop();
  backend.stop();
});

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const INIT = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2024-11-05', capabilities: {}, clientInfo: { name: 't', version: '1' } },
};

/** A raw HTTP+SSE stream: its endpoint URL and a reader of the next `message` events. */
async function openStream(headers: Record<string, string>) {
  const ctrl = new AbortController();
  const res = await fetch(`${gw.url}/sse`, { headers: { accept: 'text/event-stream', ...headers }, signal: ctrl.signal });
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  let buf = '';
  const nextEvent = async (): Promise<{ event: string; data: string }> => {
    for (;;) {
      const end = buf.indexOf('\n\n');
      if (end >= 0) {
        const block = buf.slice(0, end);
        buf = buf.slice(end + 2);
        if (block.startsWith(':')) continue;
        const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
        return { event, data: /^data: (.*)$/m.exec(block)?.[1] ?? '' };
      }
      const { value, done } = await reader.read();
      if (done) throw new Error('stream ended');
      buf += dec.decode(value, { stream: true });
    }
  };
  const first = await nextEvent();
  expect(first.event).toBe('endpoint');
  return { endpoint: new URL(first.data, gw.url), nextEvent, close: () => ctrl.abort() };
}

const post = (url: URL | string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

describe('HTTP+SSE sessions', () => {
  test('a credential is required on GET /sse and on POST /messages', async () => {
    const res = await fetch(`${gw.url}/sse`, { headers: { accept: 'text/event-stream' } });
    expect(res.status).toBe(401);
    const s = await openStream(bearer(keys.alice!));
    try {
      expect((await post(s.endpoint, INIT)).status).toBe(401);
      expect((await post(s.endpoint, INIT, bearer('nxs_not-a-real-key'))).status).toBe(401);
    } finally {
      s.close();
    }
  });

  test('a session answers only the caller that opened it', async () => {
    const s = await openStream(bearer(keys.alice!));
    try {
      const other = await post(s.endpoint, INIT, bearer(keys.bob!));
      expect(other.status).toBe(404);
      expect((await other.json()).error.message).toContain('unknown session');
      const own = await post(s.endpoint, INIT, bearer(keys.alice!));
      expect(own.status).toBe(202);
      const answer = JSON.parse((await s.nextEvent()).data);
      expect(answer).toMatchObject({ jsonrpc: '2.0', id: 1, result: { protocolVersion: '2024-11-05', serverInfo: { name: 'nexus' } } });
    } finally {
      s.close();
    }
  });

  test('SDK v1 clients connect, list and call with a client key on both requests', async () => {
    for (const kind of SSE_CLIENTS) {
      const client = await connectSse(kind, new URL(`${gw.url}/sse`), bearer(keys.alice!));
      try {
        const r = await client.callTool({ name: 'ping_backend', arguments: {} });
        expect(r.structuredContent).toEqual({ ok: true });
      } finally {
        await client.close();
      }
    }
  });

  test('the Host and Origin guard applies to /sse and /messages, which takes only JSON bodies', async () => {
    const badHost = await fetch(`${gw.url}/sse`, {
      headers: { accept: 'text/event-stream', host: 'evil.example', ...bearer(keys.alice!) },
    });
    expect(badHost.status).toBe(403);
    const s = await openStream(bearer(keys.alice!));
    try {
      const plain = await fetch(s.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', ...bearer(keys.alice!) },
        body: JSON.stringify(INIT),
      });
      expect(plain.status).toBe(415);
      const badOrigin = await post(s.endpoint, INIT, { origin: 'http://evil.example', ...bearer(keys.alice!) });
      expect(badOrigin.status).toBe(403);
      expect((await badOrigin.json()).error.message).toContain('Invalid Origin');
    } finally {
      s.close();
    }
  });

  test('a session ends when its stream closes', async () => {
    const s = await openStream(bearer(keys.alice!));
    s.close();
    const deadline = Date.now() + 5000;
    let status = 0;
    while (Date.now() < deadline) {
      status = (await post(s.endpoint, INIT, bearer(keys.alice!))).status;
      if (status === 404) break;
      await Bun.sleep(20);
    }
    expect(status).toBe(404);
  });
});

describe('a client on the wrong transport gets an error, not a hang', () => {
  // each client's own timeout is 5 s; an error well within it is the point
  test('Streamable HTTP clients (SDK v1 and v2) pointed at /sse', async () => {
    for (const kind of SSE_CLIENTS) {
      const client = new kind.Client({ name: 't', version: '1' });
      await expect(
        client.connect(new kind.Streamable(new URL(`${gw.url}/sse`), { requestInit: { headers: bearer(keys.alice!) } }), { timeout: 5000 }),
      ).rejects.toThrow('Streamable HTTP clients use /mcp');
    }
    const v2 = new ClientV2({ name: 't', version: '1' });
    await expect(
      v2.connect(new StreamableV2(new URL(`${gw.url}/sse`), { requestInit: { headers: bearer(keys.alice!) } }), { timeout: 5000 }),
    ).rejects.toThrow();
  });

  test("the SDK's documented fallback (Streamable HTTP first, then SSE on the same URL) works on /sse", async () => {
    const url = new URL(`${gw.url}/sse`);
    const kind = SSE_CLIENTS[0]!;
    const first = new kind.Client({ name: 't', version: '1' });
    const failed = await first.connect(new kind.Streamable(url, { requestInit: { headers: bearer(keys.alice!) } }), { timeout: 5000 }).then(
      () => false,
      () => true,
    );
    expect(failed).toBe(true);
    const client = await connectSse(kind, url, bearer(keys.alice!));
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['ping_backend']);
    await client.close();
  });

  test('a Streamable HTTP client pointed at /messages is told to open the stream first', async () => {
    const kind = SSE_CLIENTS[0]!;
    const client = new kind.Client({ name: 't', version: '1' });
    await expect(
      client.connect(new kind.Streamable(new URL(`${gw.url}/messages`), { requestInit: { headers: bearer(keys.alice!) } }), {
        timeout: 5000,
      }),
    ).rejects.toThrow('missing sessionId');
  });

  test('an SSE client pointed at /messages fails at once', async () => {
    for (const kind of SSE_CLIENTS) {
      await expect(connectSse(kind, new URL(`${gw.url}/messages`), bearer(keys.alice!))).rejects.toThrow('405');
    }
  });

  test('an initialize POSTed to /messages without a session, or with an unknown one', async () => {
    const none = await post(`${gw.url}/messages`, INIT, bearer(keys.alice!));
    expect(none.status).toBe(400);
    expect((await none.json()).error.message).toContain('open the event stream with GET /sse first');
    const unknown = await post(`${gw.url}/messages?sessionId=${crypto.randomUUID()}`, INIT, bearer(keys.alice!));
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.message).toContain('HTTP+SSE sessions live on one instance');
  });
});
