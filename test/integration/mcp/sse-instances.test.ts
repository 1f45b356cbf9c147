// An HTTP+SSE session lives on the instance holding its stream. With Redis, a POST landing on another
// instance is relayed there and the answer comes on the stream; without, it is refused as unknown.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { type SharedScope, sharedScope, startGateway, type TestGateway } from '../../helpers/gateway.ts';
import { connectSse, SSE_CLIENTS } from '../../helpers/legacy-clients.ts';
import { pingFixture } from './ping-fixture.ts';

const { backend, dir } = pingFixture();
afterAll(() => backend.stop());

/** Sends the client's POSTs to `other` instead of the instance it holds its stream on. */
const postsTo = (other: TestGateway) => (url: string | URL, init?: RequestInit) => {
  const u = new URL(url);
  if (init?.method === 'POST') u.port = String(other.server.port);
  return fetch(u, init);
};

describe('with Redis (two instances, one cluster)', () => {
  let scope: SharedScope;
  let a: TestGateway;
  let b: TestGateway;
  const keys: Record<string, string> = {};
  beforeAll(async () => {
    scope = await sharedScope();
    a = await startGateway({ toolsDir: dir, shared: scope });
    b = await startGateway({ toolsDir: dir, shared: scope });
    keys.alice = (await a.app.services.keys.create('alice', { tools: ['*'] })).key;
    keys.bob = (await a.app.services.keys.create('bob', { tools: ['*'] })).key;
  });
  afterAll(async () => {
    await a.stop();
    await b.stop();
    await scope.cleanup();
  });

  // SDK 1.32: its POSTs go through the given fetch (1.10's use the global one, so they cannot be steered)
  test('SDK 1.32 connects, lists and calls with its stream on one instance and every POST on the other', async () => {
    const auth = { authorization: `Bearer ${keys.alice}` };
    const client = await connectSse(SSE_CLIENTS[0]!, new URL(`${a.url}/sse`), auth, 10_000, postsTo(b));
    try {
      expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['ping_backend']);
      const r = await client.callTool({ name: 'ping_backend', arguments: {} });
      expect(r.structuredContent).toEqual({ ok: true });
    } finally {
      await client.close();
    }
  });

  test('a relayed POST reaches the session only from its own caller', async () => {
    const ctrl = new AbortController();
    const res = await fetch(`${a.url}/sse`, {
      headers: { accept: 'text/event-stream', authorization: `Bearer ${keys.alice}` },
      signal: ctrl.signal,
    });
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('\n\n')) text += new TextDecoder().decode((await reader.read()).value);
    const endpoint = /data: (.*)/.exec(text)![1]!;
    const send = (key: string) =>
      fetch(`${b.url}${endpoint}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'ping' }),
      });
    try {
      expect((await send(keys.bob!)).status).toBe(404);
      expect((await send(keys.alice!)).status).toBe(202);
      let stream = '';
      while (!stream.includes('"id":7')) stream += new TextDecoder().decode((await reader.read()).value);
      expect(stream).toContain('{"result":{},"jsonrpc":"2.0","id":7}');
    } finally {
      ctrl.abort();
    }
  });
});

describe('without Redis', () => {
  test('a POST landing on another instance is refused, naming the one-instance rule', async () => {
    await using a = await startGateway({ toolsDir: dir });
    await using b = await startGateway({ toolsDir: dir });
    const failed = await connectSse(SSE_CLIENTS[0]!, new URL(`${a.url}/sse`), {}, 5000, postsTo(b)).then(
      () => 'connected',
      (e: Error) => e.message,
    );
    expect(failed).toContain('HTTP+SSE sessions live on one instance');
  });
});
