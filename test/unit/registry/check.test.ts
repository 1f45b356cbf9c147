// `nexus check` and the loader report every issue in a directory of broken files, with file and line.
import { expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../../src/cli/index.ts';
import { loadToolsDir } from '../../../src/registry/load.ts';
import { metaValidatorSource } from '../../../src/registry/meta-validator-source.ts';
import { toolFileJsonSchema } from '../../../src/registry/schema.ts';
import { formatIssue } from '../../../src/registry/yaml-file.ts';
import { toolsDir } from '../../helpers/files.ts';

const BROKEN = {
  'jira.yaml': `backend:
  base_url: http://jira.local
tools:
  - name: ok_tool
    description: Fine.
    request: { method: GET, path: /ok }
  - name: bad_method
    description: Wrong method.
    request:
      method: FETCH
      path: /x
  - name: bad name!
    description: Bad name.
    request: { method: GET, path: /x, colour: red }
`,
  'crm.yml': `backend:
  base_url: \${env:NEXUS_TEST_UNSET_URL}
  timeout: soon
tools:
  - name: ok_tool
    description: Duplicate of jira's.
    request: { method: GET, path: "/x/{missing}" }
`,
  'nested/syntax.yaml': `tools:\n  - name: x\n    description: [unclosed\n`,
};

test('every issue in every file is reported with file, line and path', () => {
  const dir = toolsDir(BROKEN);
  const { issues } = loadToolsDir(dir, { env: {}, displayRoot: dir });
  expect(issues.map(formatIssue).sort()).toEqual(
    [
      'crm.yml:2 backend.base_url: environment variable NEXUS_TEST_UNSET_URL is not set',
      'crm.yml:3 backend.timeout: expected a duration like 500ms, 30s, 5m, 1h',
      'jira.yaml:10 tools[1].request.method: expected one of GET, POST, PUT, PATCH, DELETE',
      'jira.yaml:12 tools[2].name: expected 1-128 characters from A-Z a-z 0-9 _ . -',
      'jira.yaml:14 tools[2].request.colour: unknown key "colour"',
      'nested/syntax.yaml:4: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ].sort(),
  );
});

test('a duplicate name across files names both places', () => {
  const dir = toolsDir({
    'a.yaml': `backend: { base_url: "http://a" }\ntools:\n  - name: dup\n    description: A.\n    request: { method: GET, path: /a }\n`,
    'b.yaml': `backend: { base_url: "http://b" }\ntools:\n  - name: other\n    description: B.\n    request: { method: GET, path: /b }\n  - name: dup\n    description: B.\n    request: { method: GET, path: /b }\n`,
  });
  const { issues, tools } = loadToolsDir(dir, { env: {}, displayRoot: dir });
  expect(issues.map(formatIssue)).toEqual(['b.yaml:6 name: tool name "dup" is already declared at a.yaml:3']);
  expect(tools.map((t) => t.name)).toEqual(['dup', 'other']);
});

test('placeholders must name arguments, and path placeholders must be required', () => {
  const dir = toolsDir({
    'p.yaml': `backend: { base_url: "http://a" }
tools:
  - name: p
    description: P.
    input: { type: object, properties: { id: { type: string } } }
    request: { method: GET, path: "/items/{id}", query: { q: "{nope}" } }
`,
  });
  const { issues } = loadToolsDir(dir, { env: {}, displayRoot: dir });
  expect(issues.map(formatIssue)).toEqual([
    'p.yaml:6 tools[0].request.path: path placeholder {id} must be a required argument',
    'p.yaml:6 tools[0].request.query.q: placeholder {nope} is not an argument in input.properties',
  ]);
});

test('the Nexus secrets cannot be interpolated into a tool file', () => {
  const dir = toolsDir({ 's.yaml': `backend:\n  base_url: http://a\n  headers: { X-Key: "\${env:NEXUS_MASTER_KEY}" }\ntools: []\n` });
  const { issues } = loadToolsDir(dir, { env: { NEXUS_MASTER_KEY: 'x' }, displayRoot: dir });
  expect(issues.map((i) => i.message)).toEqual(["${env:NEXUS_MASTER_KEY} is not allowed: Nexus's own secrets never reach a backend"]);
});

test('nexus check exits 1 listing all issues, and 0 on the shipped examples', async () => {
  const out: string[] = [];
  const err: string[] = [];
  const io = { env: {}, stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t), stdin: async () => '' };
  const dir = toolsDir(BROKEN);
  expect(await runCli(['check', '--tools', dir], io)).toBe(1);
  expect(err.join('')).toContain('6 issue(s)');
  expect(err.join('')).toContain('crm.yml:3 backend.timeout: expected a duration');
  expect(await runCli(['check', '--tools', join(import.meta.dir, '../../../tools')], io)).toBe(0);
  expect(out.join('')).toMatch(/^ok: \d+ tool\(s\) in \d+ file\(s\)/);
});

test('schema/tools.schema.json is the one generated from the validator (run `bun run schema`)', () => {
  const published = JSON.parse(readFileSync(join(import.meta.dir, '../../../schema/tools.schema.json'), 'utf8'));
  expect(published).toEqual(toolFileJsonSchema());
});

test('the precompiled meta-schema validator is the one Ajv generates (run `bun run schema`)', () => {
  const published = readFileSync(join(import.meta.dir, '../../../src/registry/generated/meta-validator.js'), 'utf8');
  expect(published).toEqual(metaValidatorSource());
});

test('a schema repeated across tools is checked once and reported at every tool that has it', () => {
  const tool = (name: string, schema: string) =>
    `  - name: ${name}\n    description: ${name}.\n    input: ${schema}\n    request: { method: GET, path: /${name} }\n`;
  const bad = '{ type: object, properties: { id: { type: strung } } }';
  const withId = '{ $id: "https://schemas.local/s", type: object, properties: { id: { type: string } } }';
  const file = (...tools: string[]) => ({ 'a.yaml': `backend: { base_url: "http://a" }\ntools:\n${tools.join('')}` });
  const dir = toolsDir(file(tool('one', bad), tool('two', withId), tool('three', bad)));
  const typeIssue = (line: number, i: number) => [
    `a.yaml:${line} tools[${i}].input: not a valid JSON Schema: /properties/id/type must be equal to one of the allowed values`,
    `a.yaml:${line} tools[${i}].input: not a valid JSON Schema: /properties/id/type must be array`,
    `a.yaml:${line} tools[${i}].input: not a valid JSON Schema: /properties/id/type must match a schema in anyOf`,
  ];
  const issues = loadToolsDir(dir, { env: {}, displayRoot: dir, thorough: true }).issues.map(formatIssue);
  expect(issues.filter((i) => i.includes('type must'))).toEqual([...typeIssue(5, 0), ...typeIssue(13, 2)]);
  // a second schema with the same $id is compiled (Ajv refuses it, as it would on a call), not taken as seen
  const once = withId.replace('/s"', '/once"'); // Ajv is process-wide: an $id no other test compiled
  const sameId = toolsDir(file(tool('two', once), tool('four', once)));
  expect(loadToolsDir(sameId, { env: {}, displayRoot: sameId, thorough: true }).issues.map(formatIssue)).toContain(
    'a.yaml:9 tools[1].input: not a valid JSON Schema: schema with key or id "https://schemas.local/once" already exists',
  );
});

test('schemas that differ only in NaN or Infinity against null are checked apart', () => {
  const tool = (name: string, value: string) =>
    `  - name: ${name}\n    description: ${name}.\n    input: { type: object, properties: { n: { type: number, maximum: ${value} } } }\n    request: { method: GET, path: /${name} }\n`;
  const dir = toolsDir({ 'a.yaml': `backend: { base_url: "http://a" }\ntools:\n${tool('one', '.inf')}${tool('two', 'null')}` });
  const issues = loadToolsDir(dir, { env: {}, displayRoot: dir }).issues.map(formatIssue);
  expect(issues).toEqual(['a.yaml:9 tools[1].input: not a valid JSON Schema: /properties/n/maximum must be number']);
});
