// A tool's meta: is served as its _meta; keys are namespaced the way MCP asks.
import { expect, test } from 'bun:test';
import { toolDescriptor } from '../../../src/catalogue/stats.ts';
import { loadToolFile } from '../../../src/registry/load.ts';

const load = (meta: string) =>
  loadToolFile(
    't.yaml',
    `backend: { base_url: "https://api.example.com" }
tools:
  - { name: t, description: T., meta: ${meta}, request: { method: GET, path: /i } }
`,
  );

test("meta is listed as the tool's _meta", () => {
  const { tools, issues } = load('{ nexus/operation_id: "repos/get.v2", dev.acme/x: { y: 1 } }');
  expect(issues).toEqual([]);
  expect(toolDescriptor(tools[0]!)._meta).toEqual({ 'nexus/operation_id': 'repos/get.v2', 'dev.acme/x': { y: 1 } });
});

test('meta keys must be prefix/name and not in the prefixes MCP reserves', () => {
  for (const bad of ['{ operation_id: a }', '{ io.modelcontextprotocol/x: a }', '{ mcp/x: a }']) expect(load(bad).issues).toHaveLength(1);
});
