// Upstream tools get the gateway's policy: per-caller visibility, the vault's credential (never the
// client's own token, masked in answers), cache and rate limits declared per tool in the server entry.
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { type FixtureUpstream, startStatefulUpstream } from '../../fixtures/upstream/fixture.ts';
import { startGateway, type TestGateway, toolsDir } from '../../helpers/gateway.ts';
import { connect, REVISIONS } from '../../helpers/mcp-client.ts';

let upstream: FixtureUpstream;
let gw: TestGateway;
const token = `tok-${crypto.randomUUID()}`;
const keys: Record<string, string> = {};

beforeAll(async () => {
  upstream = startStatefulUpstream();
  gw = await startGateway({
    toolsDir: toolsDir({
      'servers.yaml': `servers:
  - name: fx
    url: ${upstream.url.href}
    protocol: "2025-11-25"
    auth: { type: bearer, credential: fx-token }
    tools:
      echo: { cache: { ttl: 1m } }
      add: { rate_limit: { requests: 1, per: 1m } }
`,
    }),
  });
  await gw.app.services.vault.put('fx-token', 'bearer', { token });
  keys.all = (await gw.app.services.keys.create('all', { tools: ['*'] })).key;
  keys.echo = (await gw.app.services.keys.create('echo-only', { tools: ['fx__echo'] })).key;
  await gw.app.upstreams.runtime('fx')!.refresh();
});
afterAll(async () => {
  await gw?.stop();
  await upstream?.stop();
});

const as = (key: string) => connect(gw.mcpUrl, REVISIONS[0]!, { authorization: `Bearer ${key}` });

test('a key limited to fx__echo sees and calls only that upstream tool', async () => {
  const client = await as(keys.echo!);
  const { tools } = await client.listTools();
  const denied = await client.callTool({ name: 'fx__whoami', arguments: {} }).catch((e) => String(e.message));
  await client.close();
  expect(tools.map((t) => t.name)).toEqual(['fx__echo']);
  expect(denied).toContain('Unknown tool: fx__whoami');
});

test("the upstream gets the vault's credential, never the client's key, and the answer masks it", async () => {
  const client = await as(keys.all!);
  const r = await client.callTool({ name: 'fx__whoami', arguments: {} });
  await client.close();
  expect(upstream.state.authorizations.at(-1)).toBe(`Bearer ${token}`);
  expect(upstream.state.authorizations.some((a) => a.includes(keys.all!))).toBe(false);
  expect(JSON.stringify(r)).not.toContain(token);
  expect(r.content).toEqual([{ type: 'text', text: '[REDACTED]' }]);
});

test('an upstream tool with cache: is answered from the cache the second time', async () => {
  const client = await as(keys.all!);
  const before = upstream.state.calls.filter((c) => c === 'echo').length;
  const first = await client.callTool({ name: 'fx__echo', arguments: { text: 'cached' } });
  const second = await client.callTool({ name: 'fx__echo', arguments: { text: 'cached' } });
  await client.close();
  expect([first._meta?.['nexus/source'], second._meta?.['nexus/source']]).toEqual(['backend', 'cache']);
  expect(upstream.state.calls.filter((c) => c === 'echo').length).toBe(before + 1);
});

test('an upstream tool with rate_limit: refuses the caller past its budget', async () => {
  const client = await as(keys.all!);
  const ok = await client.callTool({ name: 'fx__add', arguments: { a: 1, b: 2 } });
  const refused = await client.callTool({ name: 'fx__add', arguments: { a: 1, b: 2 } }).catch((e) => String(e.message));
  await client.close();
  expect(ok.structuredContent).toEqual({ sum: 3 });
  expect(refused).toContain('rate limit');
});

test('the credential never shows in logs or the tool list', async () => {
  const client = await as(keys.all!);
  const list = JSON.stringify(await client.listTools());
  await client.close();
  expect(list).not.toContain(token);
  expect(gw.logs.join('\n')).not.toContain(token);
});
