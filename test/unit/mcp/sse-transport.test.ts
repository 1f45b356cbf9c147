// One HTTP+SSE session's stream: the endpoint event first, answers as message events, keep-alive
// comments, and its bounds (unread bytes end the session, too many requests in flight are refused).
import { describe, expect, test } from 'bun:test';
import { SseTransport } from '../../../src/mcp/sse-transport.ts';

const limits = { maxQueuedBytes: 1024, maxInflight: 2 };
const request = (id: number) => ({ jsonrpc: '2.0' as const, id, method: 'ping' });
const extra = {};

async function readAll(t: SseTransport) {
  return await new Response(t.response.body).text();
}

describe('SseTransport', () => {
  test('the stream starts with the endpoint event and carries answers and keep-alives', async () => {
    const t = new SseTransport('s1', '/messages?sessionId=s1', limits);
    await t.send({ jsonrpc: '2.0', id: 1, result: {} });
    t.keepAlive();
    await t.close();
    expect(await readAll(t)).toBe(
      'event: endpoint\ndata: /messages?sessionId=s1\n\nevent: message\ndata: {"jsonrpc":"2.0","id":1,"result":{}}\n\n: keepalive\n\n',
    );
  });

  test('requests in flight are bounded; an answer frees a place', async () => {
    const t = new SseTransport('s2', '/m', limits);
    const seen: unknown[] = [];
    t.onmessage = (m) => void seen.push(m);
    expect([t.deliver(request(1), extra), t.deliver(request(2), extra), t.deliver(request(3), extra)]).toEqual([true, true, false]);
    expect(t.deliver({ jsonrpc: '2.0', method: 'notifications/initialized' }, extra)).toBe(true);
    await t.send({ jsonrpc: '2.0', id: 1, result: {} });
    expect(t.deliver(request(3), extra)).toBe(true);
    expect(seen.length).toBe(4);
    await t.close();
  });

  test('a client that does not read its stream is disconnected past the byte bound', async () => {
    const t = new SseTransport('s3', '/m', limits);
    let closed = false;
    let error = '';
    t.onclose = () => {
      closed = true;
    };
    t.onerror = (e) => {
      error = e.message;
    };
    for (let i = 0; i < 50 && !closed; i++) await t.send({ jsonrpc: '2.0', id: i, result: { pad: 'x'.repeat(100) } });
    expect(closed).toBe(true);
    expect(error).toContain('did not read its event stream');
  });

  test('drain ends the stream once the last answer in flight is sent', async () => {
    const t = new SseTransport('s4', '/m', limits);
    let closed = false;
    t.onclose = () => {
      closed = true;
    };
    t.deliver(request(1), extra);
    t.drain();
    expect(closed).toBe(false);
    await t.send({ jsonrpc: '2.0', id: 1, result: {} });
    expect(closed).toBe(true);
    expect(await readAll(t)).toContain('"id":1');
  });
});
