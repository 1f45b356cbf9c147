// Resources keep their upstream URIs (so resource links in tool results stay valid); two servers that
// list the same URI or template cannot both serve it: the first declared does, the other is logged
// as left out naming both entries, and every read goes to one server only.
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
`,
    }),
  });
  await gw.app.upstreams.settled();
  await gw.app.upstreams.runtime('second')!.refresh(); // both listed: the collision is seen whatever finished first
});
afterAll(async () => {
  await gw?.stop();
  await a?.stop();
  await b?.stop();
});

test('a URI and a template listed by two servers are served once, by the first declared', async () => {
  for (const rev of REVISIONS) {
    const client = await connect(gw.mcpUrl, rev);
    const { resources } = await client.listResources();
    const { resourceTemplates } = await client.listResourceTemplates();
    await client.readResource({ uri: 'fixture://readme' });
    await client.readResource({ uri: 'fixture://items/3' });
    await client.close();
    expect(resources.map((r) => r.uri)).toEqual(['fixture://readme']);
    expect(resourceTemplates.map((t) => t.uriTemplate)).toEqual(['fixture://items/{id}']);
  }
  expect(a.state.reads).toEqual(['fixture://readme', 'fixture://items/3', 'fixture://readme', 'fixture://items/3']);
  expect(b.state.reads).toEqual([]);
});

test('the server left out is logged once per URI, naming both entries', () => {
  const lines = gw.logs.filter((l) => l.includes('upstream resource left out')).map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(lines.map((l) => [l.uri ?? l.uriTemplate, String(l.server).split(' ')[0], String(l.servedBy).split(' ')[0]])).toEqual([
    ['fixture://readme', 'second', 'first'],
    ['fixture://items/{id}', 'second', 'first'],
  ]);
  expect(String(lines[0]!.server)).toMatch(/^second \(.*servers\.yaml:\d+\)$/);
});
