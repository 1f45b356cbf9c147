// check parses fast only when the tokens prove no key repeats; every duplicate below still reaches the
// position-keeping parser, which names its line.
import { expect, test } from 'bun:test';
import { runCli } from '../../../src/cli/index.ts';
import { loadToolsDir } from '../../../src/registry/load.ts';
import { hasUniqueKeys } from '../../../src/registry/unique-keys.ts';
import { toolsDir } from '../../helpers/files.ts';

const proven = (text: string) => hasUniqueKeys(text, Bun.YAML.parse(text));

const DUPLICATES: Record<string, string> = {
  'block keys': 'a: 1\nb: 2\na: 3\n',
  'nested block keys': 'tools:\n  - name: x\n    description: A.\n    name: y\n',
  'flow keys': 'a: { b: 1, b: 2 }\n',
  'a flow key without a value beside one with': 'a: { b, c: 1, b: 2 }\n',
  'quoted and plain spellings of one key': 'a: 1\n"a": 2\n',
  'null spelled two ways': '~: 1\nnull: 2\n',
  'keys in a flow sequence of maps': 'a: [ { b: 1, b: 2 } ]\n',
  'a key longer than 1024 characters': `${'k'.repeat(1100)}: 1\n`,
};
const UNIQUE: Record<string, string> = {
  'an empty file': '',
  'a tool file':
    'backend:\n  base_url: http://a\ntools:\n  - name: x\n    description: >-\n      Text: with a colon\n    input: { type: object, properties: { id: { type: string } } }\n',
  'a document start, comments and quoted colons': '---\n# a: 1\na: "b: c" # c: d\nd: \'e: f\'\n',
  'block scalars': 'a: |\n  x: 1\n  x: 1\nb: >\n  y: 2\n',
  'a flow sequence with a single pair': 'a: [b: 1, c]\n',
  'flow keys without values': 'a: { b, c }\n',
};
const UNDECIDED: Record<string, string> = {
  aliases: 'a: &x { b: 1 }\nc: *x\n',
  tags: 'a: !!str 1\n',
  'explicit keys': '? a\n: 1\n',
  'two documents': 'a: 1\n---\nb: 2\n',
};

for (const [name, text] of Object.entries(DUPLICATES))
  test(`a duplicate is never proven unique: ${name}`, () => expect(proven(text)).toBe(false));
for (const [name, text] of Object.entries(UNIQUE)) test(`proven unique: ${name}`, () => expect(proven(text)).toBe(true));
for (const [name, text] of Object.entries(UNDECIDED)) test(`left to the precise parser: ${name}`, () => expect(proven(text)).toBe(false));

test('nexus check refuses a duplicate key at its line, which serving lets through', async () => {
  const dir = toolsDir({
    'd.yaml':
      'backend: { base_url: "http://a" }\ntools:\n  - name: d\n    description: First.\n    description: Second.\n    request: { method: GET, path: /d }\n',
  });
  const err: string[] = [];
  const io = { env: {}, stdout: () => {}, stderr: (t: string) => err.push(t), stdin: async () => '' };
  expect(await runCli(['check', '--tools', dir, '--no-credentials'], io)).toBe(1);
  expect(err.join('')).toContain('d.yaml:5: Map keys must be unique');
  expect(loadToolsDir(dir, { env: {} }).tools.map((t) => [t.name, t.description])).toEqual([['d', 'Second.']]);
});
