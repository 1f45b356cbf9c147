// An upstream's sampling, elicitation and roots requests reach the client whose call caused them, in
// either client revision and whichever revision the upstream speaks; a client that cannot answer
// makes the upstream get a clear error at once, never a hang.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { join } from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { type FixtureUpstream, startStatefulUpstream, startStatelessUpstream } from '../../fixtures/upstream/fixture.ts';
import { relayServer } from '../../fixtures/upstream/relay-server.ts';
import { startGateway, type TestGateway, toolsDir } from '../../helpers/gateway.ts';
import { REVISIONS } from '../../helpers/mcp-client.ts';

const UPSTREAMS = [
  { name: 'stateful 2025-11-25', start: startStatefulUpstream, protocol: '2025-11-25' },
  { name: 'stateless 2026-07-28', start: startStatelessUpstream, protocol: '2026-07-28' },
] as const;

type Revision = (typeof REVISIONS)[number];

/** A client that answers elicitation, sampling and roots (or only what `caps` names). */
async function answering(url: URL, rev: Revision, caps: Array<'elicitation' | 'sampling' | 'roots'>) {
  const capabilities = Object.fromEntries(caps.map((c) => [c, {}]));
  const client = new Client({ name: 'relay-test', version: '1.0.0' }, { versionNegotiation: { mode: rev.mode }, capabilities });
  if (caps.includes('elicitation'))
    client.setRequestHandler('elicitation/create', async (r) => ({ action: 'accept', content: { ok: r.params.message === 'Proceed?' } }));
  if (caps.includes('sampling'))
    client.setRequestHandler('sampling/createMessage', async () => ({
      role: 'assistant',
      content: { type: 'text', text: 'hi from the client' },
      model: 'test-model',
    }));
  if (caps.includes('roots')) client.setRequestHandler('roots/list', async () => ({ roots: [{ uri: 'file:///work', name: 'work' }] }));
  await client.connect(new StreamableHTTPClientTransport(url));
  return client;
}

const textOf = (r: { content?: unknown }) => ((r.content as Array<{ text?: string }>)[0]?.text ?? '') as string;

for (const up of UPSTREAMS) {
  describe(`a ${up.name} upstream`, () => {
    let upstream: FixtureUpstream;
    let gw: TestGateway;
    beforeAll(async () => {
      upstream = up.start(undefined, relayServer as never);
      gw = await startGateway({
        toolsDir: toolsDir({
          'servers.yaml': `servers:\n  - name: fx\n    url: ${upstream.url.href}\n    protocol: "${up.protocol}"\n`,
        }),
      });
      await gw.app.upstreams.settled();
    });
    afterAll(async () => {
      await gw?.stop();
      await upstream?.stop();
    });

    for (const rev of REVISIONS) {
      describe(`called by a ${rev.name} client`, () => {
        test('elicitation, sampling and roots are asked of the client and its answers reach the upstream', async () => {
          const client = await answering(gw.mcpUrl, rev, ['elicitation', 'sampling', 'roots']);
          try {
            const confirm = await client.callTool({ name: 'fx__confirm', arguments: {} });
            expect(textOf(confirm)).toBe('confirm: {"action":"accept","content":{"ok":true}}');
            const sample = await client.callTool({ name: 'fx__summarize', arguments: {} });
            expect(textOf(sample)).toContain('"text":"hi from the client"');
            const where = await client.callTool({ name: 'fx__where', arguments: {} });
            expect(textOf(where)).toBe('where: {"roots":[{"uri":"file:///work","name":"work"}]}');
          } finally {
            await client.close();
          }
        });

        test('a prompt that elicits before it answers gets the answer too', async () => {
          const client = await answering(gw.mcpUrl, rev, ['elicitation']);
          try {
            const got = await client.getPrompt({ name: 'fx__ask' });
            expect(got.messages).toEqual([
              { role: 'user', content: { type: 'text', text: 'asked: {"action":"accept","content":{"ok":true}}' } },
            ]);
          } finally {
            await client.close();
          }
        });

        test('a client without the capability: the upstream is refused at once, saying why', async () => {
          const client = await answering(gw.mcpUrl, rev, ['roots']);
          try {
            const r = await client.callTool({ name: 'fx__confirm', arguments: {} });
            expect(r.isError).toBe(true);
            expect(textOf(r)).toContain(
              'Nexus cannot relay elicitation/create: the client that made this call did not declare the elicitation capability',
            );
          } finally {
            await client.close();
          }
        });
      });
    }
  });
}

describe('one shared upstream session, several clients at once', () => {
  let upstream: FixtureUpstream;
  let gw: TestGateway;
  beforeAll(async () => {
    upstream = startStatefulUpstream(undefined, relayServer as never);
    gw = await startGateway({
      toolsDir: toolsDir({
        'servers.yaml': `servers:
  - name: fx
    url: ${upstream.url.href}
    protocol: "2025-11-25"
  - name: op
    url: ${upstream.url.href}
    protocol: "2025-11-25"
    roots: [{ uri: "file:///srv/share", name: share }]
`,
      }),
    });
    await gw.app.upstreams.settled();
  });
  afterAll(async () => {
    await gw?.stop();
    await upstream?.stop();
  });

  test("each client's sampling answer reaches the call it made, with both calls in flight", async () => {
    let arrived = 0;
    let release = () => {};
    const both = new Promise<void>((r) => {
      release = r;
    });
    const make = async (who: string, rev: Revision) => {
      const client = new Client({ name: who, version: '1' }, { versionNegotiation: { mode: rev.mode }, capabilities: { sampling: {} } });
      client.setRequestHandler('sampling/createMessage', async () => {
        if (++arrived === 2) release();
        await both; // neither answers before both requests are out
        return { role: 'assistant', content: { type: 'text', text: `answer for ${who}` }, model: 'm' };
      });
      await client.connect(new StreamableHTTPClientTransport(gw.mcpUrl));
      return client;
    };
    const a = await make('A', REVISIONS[0]!);
    const b = await make('B', REVISIONS[1]!);
    try {
      const [ra, rb] = await Promise.all([
        a.callTool({ name: 'fx__summarize', arguments: {} }),
        b.callTool({ name: 'fx__summarize', arguments: {} }),
      ]);
      expect([textOf(ra).includes('answer for A'), textOf(rb).includes('answer for B')]).toEqual([true, true]);
      expect(upstream.state.initializes).toBe(2); // fx and op: one session each, shared by both clients
    } finally {
      await a.close();
      await b.close();
    }
  });

  test("a server entry's roots: answers roots/list itself, whatever the client offers", async () => {
    const client = await answering(gw.mcpUrl, REVISIONS[0]!, []);
    try {
      const r = await client.callTool({ name: 'op__where', arguments: {} });
      expect(textOf(r)).toBe('where: {"roots":[{"uri":"file:///srv/share","name":"share"}]}');
    } finally {
      await client.close();
    }
  });
});

describe('a stdio upstream (one channel for every call)', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    const fixture = join(import.meta.dir, '../../fixtures/upstream/relay-stdio.ts');
    gw = await startGateway({
      toolsDir: toolsDir({ 'servers.yaml': `servers:\n  - name: loc\n    command: ${process.execPath}\n    args: ["${fixture}"]\n` }),
    });
    await gw.app.upstreams.settled();
  });
  afterAll(() => gw?.stop());

  for (const rev of REVISIONS) {
    test(`the one call in flight gets the request: a ${rev.name} client answers it`, async () => {
      const client = await answering(gw.mcpUrl, rev, ['elicitation', 'sampling']);
      try {
        expect(textOf(await client.callTool({ name: 'loc__confirm', arguments: {} }))).toBe(
          'confirm: {"action":"accept","content":{"ok":true}}',
        );
        expect(textOf(await client.callTool({ name: 'loc__where', arguments: {} }))).toContain('did not declare the roots capability');
      } finally {
        await client.close();
      }
    });
  }
});

describe('an HTTP+SSE (2024-11-05) client, whose session Nexus holds', () => {
  let upstream: FixtureUpstream;
  let gw: TestGateway;
  beforeAll(async () => {
    upstream = startStatefulUpstream(undefined, relayServer as never);
    gw = await startGateway({
      toolsDir: toolsDir({ 'servers.yaml': `servers:\n  - name: fx\n    url: ${upstream.url.href}\n    protocol: "2025-11-25"\n` }),
    });
    await gw.app.upstreams.settled();
  });
  afterAll(async () => {
    await gw?.stop();
    await upstream?.stop();
  });

  test('is asked over its session stream and its answer reaches the upstream', async () => {
    const { Client: V1Client } = await import('sdk-v1-latest/client/index.js');
    const { SSEClientTransport } = await import('sdk-v1-latest/client/sse.js');
    const { ElicitRequestSchema } = await import('sdk-v1-latest/types.js');
    const client = new V1Client({ name: 'sse-relay', version: '1' }, { capabilities: { elicitation: {} } });
    client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept', content: { ok: true } }));
    await client.connect(new SSEClientTransport(new URL(`${gw.url}/sse`)));
    try {
      const r = await client.callTool({ name: 'fx__confirm', arguments: {} });
      expect(textOf(r as { content?: unknown })).toBe('confirm: {"action":"accept","content":{"ok":true}}');
    } finally {
      await client.close();
    }
  });
});
