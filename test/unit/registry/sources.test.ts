// The registry merges the tool files with each federated server's tools and swaps them in one step.
import { expect, test } from 'bun:test';
import { createRegistry, FILES_SOURCE } from '../../../src/registry/registry.ts';
import type { McpToolSpec, ToolSpec } from '../../../src/registry/spec.ts';

const tool = (name: string, file: string): McpToolSpec => ({
  kind: 'mcp',
  name,
  description: name,
  inputSchema: { type: 'object' },
  backend: { id: `mcp:${file}`, baseUrl: new URL('http://up/mcp'), timeoutMs: 1000, headers: {}, maxResponseBytes: 1000 },
  upstream: { server: file, tool: name },
  auditArguments: false,
  source: { file, line: 1 },
});
const names = (tools: readonly ToolSpec[]) => tools.map((t) => t.name);

test('sources merge files first, then servers in the order they were added', () => {
  const r = createRegistry([tool('a', 'tools.yaml')]);
  r.replaceSources({ 'server:gh': [tool('gh__x', 'gh.yaml')] });
  r.replaceSources({ 'server:fs': [tool('fs__y', 'fs.yaml')] });
  r.replace([tool('b', 'tools.yaml')]);
  expect(names(r.current().tools)).toEqual(['b', 'gh__x', 'fs__y']);
  expect(r.current().generation).toBe(4);
});

test('several sources change in one swap that listeners hear once', () => {
  const r = createRegistry([tool('a', 'tools.yaml')]);
  const heard: string[][] = [];
  r.onChange((set) => heard.push(names(set.tools)));
  r.replaceSources({ 'server:gh': [tool('gh__x', 'gh.yaml')], [FILES_SOURCE]: [tool('c', 'tools.yaml')] });
  r.replaceSources({ 'server:gh': undefined });
  expect(heard).toEqual([['c', 'gh__x'], ['c']]);
  expect(r.source('server:gh')).toBeUndefined();
});

test('a name another source already serves is left out and reported with the tool kept', () => {
  const r = createRegistry([tool('gh__x', 'tools.yaml')]);
  const { set, collisions } = r.replaceSources({ 'server:gh': [tool('gh__x', 'gh.yaml'), tool('gh__y', 'gh.yaml')] });
  expect(names(set.tools)).toEqual(['gh__x', 'gh__y']);
  expect(collisions.map((c) => [c.tool.source.file, c.kept.source.file])).toEqual([['gh.yaml', 'tools.yaml']]);
  expect(r.get('gh__x')?.source.file).toBe('tools.yaml');
});
