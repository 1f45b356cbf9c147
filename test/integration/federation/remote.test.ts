// Remote MCP servers behind Nexus: a stateful 2025-11-25 upstream and a stateless 2026-07-28 one,
// each used by both client revisions, through the one call pipeline.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Client } from '@modelcontextprotocol/client';
import { type FixtureUpstream, startStatefulUpstream, startStatelessUpstream } from '../../fixtures/upstream/fixture.ts';
import { startGateway, type TestGateway, toolsDir, waitFor } from '../../helpers/gateway.ts';
import { connect, REVISIONS } from '../../helpers/mcp-client.ts';

const UPSTREAMS = [
  { name: 'stateful 2025-11-25', start: startStatefulUpstream, protocol: '2025-11-25' },
  { name: 'stateless 2026-07-28', start: startStatelessUpstream, protocol: '2026-07-28' },
] as const;

for (const up of UPSTREAMS) {
  describe(`a ${up.name} upstream`, () => {
    let upstream: FixtureUpstream;
    let gw: TestGateway;
    beforeAll(async () => {
      upstream = up.start();
      gw = await startGateway({
        toolsDir: toolsDir({
          'servers.yaml': `servers:
  - name: fx
    url: ${upstream.url.href}
    protocol: "${up.protocol}"
    exclude: ["delete_*"]
    tools:
      add: { description: "Adds a and b (reviewed by the operator)." }
      fail: { hide: true }
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
      describe(`used by a ${rev.name} client`, () => {
        let client: Client;
        beforeAll(async () => {
          client = await connect(gw.mcpUrl, rev);
        });
        afterAll(() => client?.close());

        test('lists the upstream tools namespaced, filtered and with the operator description', async () => {
          const { tools } = await client.listTools();
          expect(tools.map((t) => t.name).sort()).toEqual(['fx__add', 'fx__broken', 'fx__echo', 'fx__picture', 'fx__slow', 'fx__whoami']);
          expect(tools.find((t) => t.name === 'fx__add')?.description).toBe('Adds a and b (reviewed by the operator).');
        });

        test('calls pass arguments and answers through, structured content included', async () => {
          const { _meta, ...echo } = await client.callTool({ name: 'fx__echo', arguments: { text: 'hi' } });
          expect(echo).toEqual({ content: [{ type: 'text', text: 'hi' }], isError: false });
          expect(_meta?.['nexus/source']).toBe('backend');
          const add = await client.callTool({ name: 'fx__add', arguments: { a: 2, b: 3 } });
          expect(add.structuredContent).toEqual({ sum: 5 });
        });

        test('images, embedded resources and resource links pass through unchanged', async () => {
          const r = await client.callTool({ name: 'fx__picture', arguments: {} });
          expect(r.content).toEqual([
            { type: 'image', data: expect.any(String), mimeType: 'image/png' },
            { type: 'resource', resource: { uri: 'fixture://readme', mimeType: 'text/plain', text: 'hello' } },
            { type: 'resource_link', uri: 'fixture://readme', name: 'readme' },
          ]);
        });

        test("arguments are checked against the upstream's draft-07 schema before any call", async () => {
          const before = upstream.state.calls.length;
          const err = await client.callTool({ name: 'fx__echo', arguments: { text: 'x'.repeat(101) } }).catch((e) => e);
          expect(String(err.message ?? err)).toContain('arguments.text');
          expect(upstream.state.calls.length).toBe(before);
        });

        test('a JSON-RPC error from the upstream is an isError result naming the server and the error', async () => {
          const r = await client.callTool({ name: 'fx__broken', arguments: {} });
          expect(r.isError).toBe(true);
          expect(r.content).toEqual([{ type: 'text', text: 'server fx answered with error -32001: the fixture is broken on purpose' }]);
        });

        test('prompts are served namespaced, resources and templates under their own URIs', async () => {
          const { prompts } = await client.listPrompts();
          expect(prompts.map((p) => p.name)).toEqual(['fx__greet']);
          const got = await client.getPrompt({ name: 'fx__greet', arguments: { who: 'Ada' } });
          expect(got.messages).toEqual([{ role: 'user', content: { type: 'text', text: 'Hello Ada' } }]);
          const { resources } = await client.listResources();
          expect(resources.map((r) => r.uri)).toEqual(['fixture://readme']);
          const { resourceTemplates } = await client.listResourceTemplates();
          expect(resourceTemplates.map((t) => t.uriTemplate)).toEqual(['fixture://items/{id}']);
          const read = await client.readResource({ uri: 'fixture://items/7' });
          expect(read.contents).toEqual([{ uri: 'fixture://items/7', mimeType: 'text/plain', text: 'contents of fixture://items/7' }]);
          const missing = await client.readResource({ uri: 'other://x' }).catch((e) => String(e.message));
          expect(missing).toContain('Resource not found: other://x');
        });

        test('hidden and excluded tools cannot be called', async () => {
          for (const name of ['fx__fail', 'fx__delete_all']) {
            const err = await client.callTool({ name, arguments: {} }).catch((e) => e);
            expect(String(err.message)).toContain(`Unknown tool: ${name}`);
          }
        });
      });
    }

    test('the upstream session is reused across calls (no initialize per call)', async () => {
      const before = upstream.state.initializes;
      const client = await connect(gw.mcpUrl, REVISIONS[0]!);
      for (let i = 0; i < 5; i++) await client.callTool({ name: 'fx__echo', arguments: { text: `n${i}` } });
      await client.close();
      expect(upstream.state.initializes).toBe(before);
    });

    test('/readyz reports the upstream and its tool count', async () => {
      const res = await fetch(`${gw.url}/readyz`);
      const body = (await res.json()) as { upstreams: unknown };
      expect(body.upstreams).toEqual([{ name: 'fx', state: 'ready', tools: 6 }]);
    });

    test("a change of the upstream's prompts reaches a 2026-07-28 client as prompts/list_changed", async () => {
      const client = await connect(gw.mcpUrl, REVISIONS[1]!);
      let heard = 0;
      client.setNotificationHandler('notifications/prompts/list_changed', () => {
        heard++;
      });
      const sub = await client.listen({ promptsListChanged: true });
      upstream.state.extraPrompts.push('later');
      await gw.app.upstreams.runtime('fx')!.refresh();
      await waitFor(() => heard > 0, 5000, 'prompts/list_changed');
      expect((await client.listPrompts()).prompts.map((p) => p.name)).toEqual(['fx__greet', 'fx__later']);
      upstream.state.extraPrompts.length = 0;
      await sub.close();
      await client.close();
    });

    test("a change of the upstream's prompts reaches a 2025-11-25 client on its GET stream", async () => {
      const client = await connect(gw.mcpUrl, REVISIONS[0]!);
      let heard = 0;
      client.setNotificationHandler('notifications/prompts/list_changed', () => {
        heard++;
      });
      // the GET stream opens after initialize; a tools change proves it is listening before the prompt one
      let tools = 0;
      client.setNotificationHandler('notifications/tools/list_changed', () => {
        tools++;
      });
      await waitFor(
        () => {
          gw.app.registry.replaceSources({});
          return tools > 0;
        },
        5000,
        'the GET stream',
      );
      try {
        upstream.state.extraPrompts.push('legacy');
        await gw.app.upstreams.runtime('fx')!.refresh();
        await waitFor(() => heard > 0, 5000, 'prompts/list_changed');
        expect((await client.listPrompts()).prompts.map((p) => p.name)).toContain('fx__legacy');
      } finally {
        upstream.state.extraPrompts.length = 0;
        await gw.app.upstreams.runtime('fx')!.refresh();
        await client.close();
      }
    });

    test('an upstream list_changed reaches the registry and so the clients', async () => {
      upstream.state.extra.push({ name: 'late', description: 'Added later', inputSchema: { type: 'object' } });
      await upstream.changed();
      if (up.protocol === '2026-07-28') await gw.app.upstreams.runtime('fx')!.refresh(); // no push channel kept to a stateless server
      await waitFor(() => gw.app.registry.get('fx__late'), 5000, 'fx__late in the registry');
      upstream.state.extra.length = 0;
    });
  });
}
