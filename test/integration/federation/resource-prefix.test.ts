// `resource_prefix` serves a server's resource URIs as `<prefix>+<uri>`: two servers listing the
// same URI and template are both listed and both readable, each read reaching its own server with
// the upstream's URI, and the resource links and embedded resources of its tool results and the
// contents of its reads carry the served URI.
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { type FixtureUpstream, startStatefulUpstream } from '../../fixtures/upstream/fixture.ts';
import { startGateway, type TestGateway, toolsDir } from '../../helpers/gateway.ts';
import { connect, REVISIONS } from '../../helpers/mcp-client.ts';

let a: FixtureUpstream;
let b: FixtureUpstream;
let gw: TestGateway;
beforeAll(async () => {
  a = startStatefulUpstream();
  b = startStatefulUpstream();
  gw = await startGateway({
    toolsDir: toolsDir({
      'servers.yaml': `servers:
  - name: first
    url: ${a.url.href}
    protocol: "2025-11-25"
  - name: second
    url: ${b.url.href}
    protocol: "2025-11-25"
    resource_prefix: two
`,
    }),
  });
  await gw.app.upstreams.settled();
});
afterAll(async () => {
  await gw?.stop();
  await a?.stop();
  await b?.stop();
});

test('both servers list and serve the same URI and template, the prefixed one under <prefix>+<uri>', async () => {
  for (const rev of REVISIONS) {
    const client = await connect(gw.mcpUrl, rev);
    const { resources } = await client.listResources();
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resources.map((r) => r.uri)).toEqual(['fixture://readme', 'two+fixture://readme']);
    expect(resourceTemplates.map((t) => t.uriTemplate)).toEqual(['fixture://items/{id}', 'two+fixture://items/{id}']);
    const read = await client.readResource({ uri: 'two+fixture://readme' });
    expect(read.contents).toEqual([{ uri: 'two+fixture://readme', mimeType: 'text/plain', text: 'contents of fixture://readme' }]);
    await client.readResource({ uri: 'two+fixture://items/7' });
    await client.readResource({ uri: 'fixture://items/3' });
    await client.close();
  }
  expect(a.state.reads).toEqual(['fixture://items/3', 'fixture://items/3']);
  expect(b.state.reads).toEqual(['fixture://readme', 'fixture://items/7', 'fixture://readme', 'fixture://items/7']);
  expect(gw.logs.filter((l) => l.includes('upstream resource left out'))).toEqual([]);
});

test("a tool result's resource link and embedded resource carry the served URI", async () => {
  const client = await connect(gw.mcpUrl, REVISIONS[0]!);
  const prefixed = await client.callTool({ name: 'second__picture', arguments: {} });
  const plain = await client.callTool({ name: 'first__picture', arguments: {} });
  await client.close();
  const uris = (r: typeof prefixed) =>
    (r.content as Array<{ type: string; uri?: string; resource?: { uri: string } }>).flatMap((c) =>
      c.type === 'resource_link' ? [c.uri] : c.type === 'resource' ? [c.resource!.uri] : [],
    );
  expect(uris(prefixed)).toEqual(['two+fixture://readme', 'two+fixture://readme']);
  expect(uris(plain)).toEqual(['fixture://readme', 'fixture://readme']);
});
