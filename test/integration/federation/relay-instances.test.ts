// A 2025-11-25 client's answer to a request an upstream made mid-call (sampling, elicitation) may land
// on another instance than the one holding the call: with Redis it is handed there; without, the
// upstream hears that no answer came, bounded by the call's timeout, and never hangs.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { type FixtureUpstream, startStatefulUpstream } from '../../fixtures/upstream/fixture.ts';
import { relayServer } from '../../fixtures/upstream/relay-server.ts';
import { startTwoInstances, type TestGateway, type TwoInstances, toolsDir } from '../../helpers/gateway.ts';

const textOf = (r: { content?: unknown }) => ((r.content as Array<{ text?: string }>)[0]?.text ?? '') as string;

type Sent = { init: RequestInit; status: number; body: string };
type Body = { method?: unknown; id?: unknown; params?: { requestState?: unknown } };

/** Fetch for a client: the POSTs `moved` picks go to `other` instead, and are kept in `sent`. */
function movedTo(other: TestGateway, moved: (body: Body, init: RequestInit) => boolean, sent: Sent[]) {
  return async (url: string | URL, init?: RequestInit) => {
    const u = new URL(url);
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as Body) : undefined;
    if (!init || !body || !moved(body, init)) return fetch(u, init);
    u.port = String(other.server.port);
    const res = await fetch(u, init);
    sent.push({ init, status: res.status, body: await res.clone().text() });
    return res;
  };
}
/** A 2025-11-25 client's JSON-RPC answers. */
const answers = (body: Body, init: RequestInit) => init.method === 'POST' && body.method === undefined && body.id !== undefined;
/** A 2026-07-28 client's retries (a tools/call carrying requestState). */
const retries = (body: Body) => body.params?.requestState !== undefined;

/** A client of revision `mode` that answers elicitation and sampling; what `moved` picks goes to `elsewhere`. */
async function answeringClient(
  at: TestGateway,
  elsewhere: TestGateway,
  sent: Sent[],
  mode: 'legacy' | { pin: '2026-07-28' } = 'legacy',
  moved = answers,
) {
  const client = new Client(
    { name: 'two-instances', version: '1' },
    { versionNegotiation: { mode }, capabilities: { elicitation: {}, sampling: {} } },
  );
  client.setRequestHandler('elicitation/create', async () => ({ action: 'accept', content: { ok: true } }));
  client.setRequestHandler('sampling/createMessage', async () => ({
    role: 'assistant',
    content: { type: 'text', text: 'sampled elsewhere' },
    model: 'm',
  }));
  await client.connect(new StreamableHTTPClientTransport(at.mcpUrl, { fetch: movedTo(elsewhere, moved, sent) }));
  return client;
}

const servers = (upstream: FixtureUpstream, timeout = '30s') =>
  toolsDir({
    'servers.yaml': `servers:\n  - name: fx\n    url: ${upstream.url.href}\n    protocol: "2025-11-25"\n    timeout: ${timeout}\n`,
  });

describe('two instances sharing PostgreSQL and Redis', () => {
  let upstream: FixtureUpstream;
  let two: TwoInstances;
  let a: TestGateway;
  let b: TestGateway;
  beforeAll(async () => {
    upstream = startStatefulUpstream(undefined, relayServer as never);
    two = await startTwoInstances(servers(upstream));
    ({ a, b } = two);
  });
  afterAll(async () => {
    await two?.stop();
    await upstream?.stop();
  });

  test('the answers posted to the other instance reach the upstream request held by the first', async () => {
    const sent: Sent[] = [];
    const client = await answeringClient(a, b, sent);
    try {
      const confirm = await client.callTool({ name: 'fx__confirm', arguments: {} });
      expect(textOf(confirm)).toBe('confirm: {"action":"accept","content":{"ok":true}}');
      const sample = await client.callTool({ name: 'fx__summarize', arguments: {} });
      expect(textOf(sample)).toContain('"text":"sampled elsewhere"');
      expect(sent.map((r) => r.status)).toEqual([202, 202]);
    } finally {
      await client.close();
    }
  });

  test("a 2026-07-28 client's retry landing on the other instance resumes the call parked on the first", async () => {
    const sent: Sent[] = [];
    const client = await answeringClient(a, b, sent, { pin: '2026-07-28' }, retries);
    try {
      const confirm = await client.callTool({ name: 'fx__confirm', arguments: {} });
      expect(textOf(confirm)).toBe('confirm: {"action":"accept","content":{"ok":true}}');
      const sample = await client.callTool({ name: 'fx__summarize', arguments: {} });
      expect(textOf(sample)).toContain('"text":"sampled elsewhere"');
      const prompt = await client.getPrompt({ name: 'fx__ask' });
      expect(prompt.messages[0]?.content).toEqual({ type: 'text', text: 'asked: {"action":"accept","content":{"ok":true}}' });
      expect(sent.map((r) => r.status)).toEqual([200, 200, 200]);
      expect(sent.every((r) => !r.body.includes('"error"'))).toBe(true);
      // a retry naming a call no instance holds is refused at once, naming why
      const replay = JSON.parse(sent[0]!.init.body as string) as { params: Record<string, unknown> };
      replay.params.requestState = 'AAAAAAAAAAAAAAAAAAAAAAAA';
      const res = await fetch(b.mcpUrl, { ...sent[0]!.init, body: JSON.stringify(replay) });
      const refused = (await res.json()) as { error?: { code: number; message: string } };
      expect(refused.error?.code).toBe(-32602);
      expect(refused.error?.message).toMatch(/requestState names no call waiting/);
    } finally {
      await client.close();
    }
  });

  test('an answer no instance waits for is refused with 404, naming why', async () => {
    const res = await fetch(b.mcpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-11-25' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 'nexus-AAAAAAAAAAAAAAAAAAAAAAAA', result: { action: 'decline' } }),
    });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: number } }).error.code).toBe(-32602);
  });
});

describe('two instances without Redis', () => {
  let upstream: FixtureUpstream;
  let two: TwoInstances;
  let a: TestGateway;
  let b: TestGateway;
  beforeAll(async () => {
    upstream = startStatefulUpstream(undefined, relayServer as never);
    two = await startTwoInstances(servers(upstream, '1s'), { shared: false });
    ({ a, b } = two);
  });
  afterAll(async () => {
    await two?.stop();
    await upstream?.stop();
  });

  test('an answer posted to the other instance is lost: the call fails within its timeout, never hangs', async () => {
    const sent: Sent[] = [];
    const client = await answeringClient(a, b, sent);
    try {
      const r = await client.callTool({ name: 'fx__summarize', arguments: {} });
      expect(r.isError).toBe(true);
      expect(textOf(r)).toMatch(/did not answer/);
      expect(sent.length).toBe(1);
    } finally {
      await client.close();
    }
  });
});
