// The direct tools/call path against canned upstream answers: what it sends, how it reads JSON and
// event-stream answers, and what it leaves to the SDK client or reports as failures.
import { describe, expect, test } from 'bun:test';
import { ProtocolError, SdkError, SdkErrorCode } from '@modelcontextprotocol/client';
import { type DirectSession, directCall, directEligible, LEAVE_TO_SDK, resultProblem } from '../../../src/upstream/direct.ts';
import { httpStatusOf, sessionLost } from '../../../src/upstream/failure.ts';

interface Sent {
  headers: Record<string, string>;
  body: { id: string; method: string; params: Record<string, unknown>; [k: string]: unknown };
}

function session(era: 'modern' | 'legacy', answer: (sent: Sent, signal: AbortSignal) => Response | Promise<Response>) {
  const sent: Sent[] = [];
  const cancelled: string[] = [];
  const delivered: unknown[] = [];
  const s: DirectSession = {
    url: new URL('http://upstream.test/mcp'),
    era,
    protocolVersion: era === 'modern' ? '2026-07-28' : '2025-11-25',
    sessionId: () => (era === 'legacy' ? 'sess-1' : undefined),
    ...(era === 'modern' && { envelope: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28' } }),
    fetch: async (_url, init) => {
      const one = { headers: init!.headers as Record<string, string>, body: JSON.parse(String(init!.body)) };
      sent.push(one);
      return answer(one, init!.signal!);
    },
    cancel: (id, reason) => cancelled.push(`${id}: ${reason}`),
    deliver: (m) => delivered.push(m),
  };
  return { s, sent, cancelled, delivered };
}

const json = (sent: Sent, result: unknown) => Response.json({ jsonrpc: '2.0', id: sent.body.id, result });
/** An event stream; `declared`: with Content-Length, as a server that wrote it whole sends it. */
const sse = (declared: boolean, ...messages: unknown[]) => {
  const text = messages.map((m) => `event: message\r\ndata: ${JSON.stringify(m)}\r\n\r\n`).join('');
  const length: Record<string, string> = declared ? { 'content-length': String(Buffer.byteLength(text)) } : {};
  return new Response(text, { headers: { 'content-type': 'text/event-stream', ...length } });
};
const TEXT = { content: [{ type: 'text', text: 'hi' }] };

describe('a 2026-07-28 session', () => {
  test('posts one request with the envelope and Mcp headers, and reads the JSON answer', async () => {
    const { s, sent } = session('modern', (m) => json(m, { ...TEXT, resultType: 'complete' }));
    const got = await directCall(s, 'echo', { text: 'hi' }, { timeoutMs: 5000, trace: { traceparent: 'tp' } });
    expect(got).toMatchObject({ result: { ...TEXT, resultType: 'complete' } });
    const [one] = sent;
    expect(one!.headers).toEqual({
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': 'tools/call',
      'mcp-name': 'echo',
      traceparent: 'tp',
    });
    expect(one!.body).toEqual({
      jsonrpc: '2.0',
      id: expect.stringMatching(/^nx-/),
      method: 'tools/call',
      params: {
        name: 'echo',
        arguments: { text: 'hi' },
        _meta: { traceparent: 'tp', 'io.modelcontextprotocol/protocolVersion': '2026-07-28' },
      },
    });
  });

  test('an input_required answer is left to the SDK client', async () => {
    const { s } = session('modern', (m) => json(m, { resultType: 'input_required', requestState: 'x' }));
    expect(await directCall(s, 'echo', {}, { timeoutMs: 5000 })).toBe(LEAVE_TO_SDK);
  });

  test('a JSON-RPC error in a 400 is the protocol error; other statuses carry the HTTP status', async () => {
    const rejected = session('modern', (m) =>
      Response.json({ jsonrpc: '2.0', id: m.body.id, error: { code: -32602, message: 'bad' } }, { status: 400 }),
    );
    const e = await directCall(rejected.s, 'echo', {}, { timeoutMs: 5000 }).catch((x) => x);
    expect([e instanceof ProtocolError, e.code, e.message]).toEqual([true, -32602, 'bad']);
    const gone = session('modern', () => new Response('no', { status: 404 }));
    const lost = await directCall(gone.s, 'echo', {}, { timeoutMs: 5000 }).catch((x) => x);
    expect([httpStatusOf(lost), sessionLost(lost)]).toEqual([404, true]);
  });

  test('a result without resultType or with malformed content is refused', async () => {
    for (const result of [TEXT, { content: [{ type: 'text' }], resultType: 'complete' }]) {
      const { s } = session('modern', (m) => json(m, result));
      const e = await directCall(s, 'echo', {}, { timeoutMs: 5000 }).catch((x) => x);
      expect(e instanceof SdkError && e.code === SdkErrorCode.InvalidResult).toBe(true);
    }
  });
});

describe('a 2025-11-25 session', () => {
  test.each([false, true])(
    'sends the session id, relays progress, hands other messages to the SDK client, then answers (length declared: %p)',
    async (declared) => {
      const progress: unknown[] = [];
      const { s, sent, delivered } = session('legacy', (m) =>
        sse(
          declared,
          { jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: m.body.id, progress: 1, message: 'step 1' } },
          { jsonrpc: '2.0', id: 7, method: 'roots/list' },
          { jsonrpc: '2.0', id: m.body.id, result: TEXT },
        ),
      );
      const got = await directCall(s, 'slow', {}, { timeoutMs: 5000, onProgress: (p) => progress.push(p) });
      expect(got).toMatchObject({ result: TEXT });
      expect(sent[0]!.headers['mcp-session-id']).toBe('sess-1');
      expect(sent[0]!.body.params._meta).toEqual({ progressToken: sent[0]!.body.id });
      expect(progress).toEqual([{ progress: 1, message: 'step 1' }]);
      expect(delivered).toEqual([{ jsonrpc: '2.0', id: 7, method: 'roots/list' }]);
    },
  );

  test('a call past its timeout is aborted, cancelled upstream, and fails as a request timeout', async () => {
    const hang = (signal: AbortSignal) =>
      new Promise<Response>((_, reject) => signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
    const { s, sent, cancelled } = session('legacy', (_m, signal) => hang(signal));
    const e = await directCall(s, 'slow', {}, { timeoutMs: 20 }).catch((x) => x);
    expect(e instanceof SdkError && e.code === SdkErrorCode.RequestTimeout).toBe(true);
    expect(cancelled).toEqual([`${sent[0]!.body.id}: timed out`]);
  });

  test('a stream that ends before the answer fails without being taken for a lost session', async () => {
    const { s } = session('legacy', () => sse(false, { jsonrpc: '2.0', method: 'notifications/message', params: {} }));
    const e = await directCall(s, 'echo', {}, { timeoutMs: 5000 }).catch((x) => x);
    expect([String(e.message), sessionLost(e)]).toEqual(['the answer stream ended before the answer', false]);
  });
});

test('tools whose schema mirrors arguments into headers, or whose names need encoding, are left to the SDK client', () => {
  expect(directEligible('echo', { type: 'object' })).toBe(true);
  expect(directEligible('echo', { type: 'object', properties: { r: { type: 'string', 'x-mcp-header': 'R' } } })).toBe(false);
  expect(directEligible('écho', undefined)).toBe(false);
});

test('resultProblem names what makes a value not a tools/call result', () => {
  expect(
    [
      { content: [] },
      { content: 'x' },
      { content: [{ type: 'video' }] },
      { content: [{ type: 'image', data: 'x' }] },
      { content: [], isError: 'no' },
    ].map(resultProblem),
  ).toEqual([
    undefined,
    'content is not an array',
    'content[0] has unknown type "video"',
    'content[0].mimeType is not a string',
    'isError is not a boolean',
  ]);
});
