// A tool set mixing imported OpenAPI tools and a federated stdio server's tools
// (@modelcontextprotocol/server-memory from npm), with an override and a projection on a federated tool.
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importOpenApiCommand } from '../../../src/cli/import-openapi.ts';
import { startGateway, type TestGateway, tempDir } from '../../helpers/gateway.ts';
import { connect, REVISIONS } from '../../helpers/mcp-client.ts';

const MEMORY = join(import.meta.dir, '../../../node_modules/@modelcontextprotocol/server-memory/dist/index.js');
const GALAXY = join(import.meta.dir, '../../fixtures/openapi/scalar-galaxy.yaml');

let gw: TestGateway;
beforeAll(async () => {
  const dir = tempDir('nexus-mixed-');
  const code = await importOpenApiCommand.run({
    argv: [GALAXY, '--out', dir, '--base-url', 'http://127.0.0.1:9'],
    env: {},
    stdout: () => {},
    stderr: () => {},
    stdin: async () => '',
  });
  expect(code).toBe(0);
  writeFileSync(
    join(dir, 'mixed.yaml'),
    `servers:
  - name: mem
    command: ${process.execPath}
    args: ["${MEMORY}"]
    env: { MEMORY_FILE_PATH: "${join(tempDir(), 'memory.jsonl')}" }
toolsets:
  - name: mixed
    include: ["getPlanet", "getAllData", "memory_graph", "mem__create_entities"]
overrides:
  - tool: mem__read_graph
    name: memory_graph
    description: The names of every entity in the memory graph.
    annotations: { readOnlyHint: true }
    response: { select: "entities[].name" }
`,
  );
  gw = await startGateway({ toolsDir: dir });
  await gw.app.upstreams.settled();
}, 60_000);
afterAll(async () => {
  await gw?.stop();
});

for (const revision of REVISIONS) {
  test(`${revision.name}: a set lists imported and federated tools, with the override applied to the federated one`, async () => {
    const client = await connect(new URL(`${gw.url}/mcp/mixed`), revision);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual(['getAllData', 'getPlanet', 'mem__create_entities', 'memory_graph']);
      expect(tools.find((t) => t.name === 'memory_graph')!.description).toBe('The names of every entity in the memory graph.');
      const entity = `planet-${revision.name}`;
      await client.callTool({
        name: 'mem__create_entities',
        arguments: { entities: [{ name: entity, entityType: 'planet', observations: ['round'] }] },
      });
      const graph = await client.callTool({ name: 'memory_graph', arguments: {} });
      const names = JSON.parse((graph.content as { text: string }[])[0]!.text) as string[];
      expect(names).toContain(entity);
      const hidden = await client.callTool({ name: 'mem__read_graph', arguments: {} }).catch((e) => e);
      expect(String(hidden.message)).toContain('Unknown tool: mem__read_graph');
    } finally {
      await client.close();
    }
  });
}
