// The catalogue core without a server: projection, inferred schemas, search ranking, override and
// tool-set problems reported with file and line.
import { expect, test } from 'bun:test';
import { projectedOutputSchema } from '../../../src/catalogue/projected-schema.ts';
import { compileProjection, truncateText } from '../../../src/catalogue/projection.ts';
import { buildSearchIndex, tokens } from '../../../src/catalogue/search.ts';
import { shortDescription } from '../../../src/catalogue/toolsets.ts';
import { loadToolsDir } from '../../../src/registry/load.ts';
import { toolsDir } from '../../helpers/gateway.ts';

test('a projection selects and renames, drops empties, and cuts every long array with a note', () => {
  const p = compileProjection({ select: 'items[].{id: id, tags: tags}', dropEmpty: true, maxItems: 2 });
  const { value, notes } = p.apply({ items: [1, 2, 3].map((id) => ({ id, tags: id === 1 ? ['a', 'b', 'c'] : [], extra: 'x' })) });
  expect(value).toEqual([{ id: 1, tags: ['a', 'b'] }, { id: 2 }]);
  expect(notes).toEqual(['$: showing 2 of 3 items (1 left out)', '$[0].tags: showing 2 of 3 items (1 left out)']);
});

test('text is cut at max_chars with a marker saying how much there was', () => {
  expect(truncateText('x'.repeat(150), 100)).toBe(`${'x'.repeat(100)}\n[truncated by Nexus: showed 100 of 150 characters]`);
  expect(truncateText('short', 100)).toBe('short');
});

test('a bad JMESPath expression is refused with the reason', () => {
  expect(() => compileProjection({ select: 'items[.' })).toThrow(/invalid JMESPath expression "items\[\."/);
});

test('the output schema of a projection follows the declared schema through the expression', () => {
  const declared = {
    type: 'object',
    required: ['a'],
    properties: { a: { type: 'object', properties: { b: { type: 'string' } } }, list: { type: 'array', items: { type: 'integer' } } },
  };
  const ast = compileProjection({ select: '{b: a.b, first: list[0], n: length(list)}' }).ast;
  expect(projectedOutputSchema(ast, declared)).toEqual({
    type: 'object',
    properties: { b: { type: ['string', 'null'] }, first: { type: ['integer', 'null'] }, n: {} },
  });
  // a projection that yields an array has no (object) output schema
  expect(projectedOutputSchema(compileProjection({ select: 'list' }).ast, declared)).toBeUndefined();
});

test('search splits names and prose into stems and ranks name matches first', () => {
  expect(tokens('issues_create-comment listRepoIssues')).toEqual(['issue', 'create', 'comment', 'list', 'repo', 'issue']);
  const index = buildSearchIndex([
    { name: 'issues_create_comment', description: 'Create an issue comment', parameters: ['body'] },
    { name: 'issues_create', description: 'Create an issue. You can also add a comment.', parameters: ['title', 'body'] },
    { name: 'repos_list', description: 'List repositories', parameters: [] },
  ]);
  expect(index.search('create an issue comment', 3).map((h) => h.name)).toEqual(['issues_create_comment', 'issues_create']);
  expect(index.search('the of', 3)).toEqual([]);
});

test('a long description is cut at a sentence end when there is one in its second half', () => {
  expect(shortDescription('First sentence is here. Second one is much longer than the cap.', 40)).toBe('First sentence is here.');
  expect(shortDescription('x'.repeat(80), 50)).toBe(`${'x'.repeat(49)}…`);
});

test('nexus check reports bad projections, bad overrides and duplicate sets with file and line', () => {
  const dir = toolsDir({
    'a.yaml': `backend: { base_url: http://127.0.0.1:1 }
tools:
  - name: t1
    description: One.
    input: { type: object, properties: { n: { type: integer } } }
    request: { method: GET, path: /t1 }
    response: { select: "items[." }
toolsets:
  - name: s1
    include: ["t*"]
`,
    'b.yaml': `toolsets:
  - name: s1
    include: ["*"]
overrides:
  - tool: nope
    description: Edits nothing.
  - tool: gh__list
    description: A federated tool may arrive later.
`,
  });
  const issues = loadToolsDir(dir, { displayRoot: dir }).issues.map((i) => `${i.file}:${i.line} ${i.path}: ${i.message}`);
  expect(issues).toEqual([
    'a.yaml:7 tools[0].response.select: invalid JMESPath expression "items[.": Syntax error: expected Star, got: Dot',
    'b.yaml:2 name: tool set "s1" is already declared at a.yaml:9',
    'b.yaml:5 tool: no tool named "nope" to override',
  ]);
});

test('an override with a value the argument schema refuses is an issue at the override', () => {
  const dir = toolsDir({
    'a.yaml': `backend: { base_url: http://127.0.0.1:1 }
tools:
  - name: t1
    description: One.
    input: { type: object, properties: { n: { type: integer } } }
    request: { method: GET, path: /t1, query: { n: "{n}" } }
overrides:
  - tool: t1
    arguments: { n: { value: "many" }, m: { hide: true } }
`,
  });
  const issues = loadToolsDir(dir, { displayRoot: dir }).issues.map((i) => `${i.file}:${i.line} ${i.message}`);
  expect(issues).toEqual(['a.yaml:8 arguments.n: arguments.n: must be integer', 'a.yaml:8 arguments.m: tool t1 has no argument "m"']);
});
