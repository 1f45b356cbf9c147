// The character scan (key-scan.ts) counts keys as the yaml lexer's tokens do, or says it cannot tell;
// a count it gives for a file with a duplicate key never equals Bun.YAML's.
import { expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scanKeys } from '../../../src/registry/key-scan.ts';
import { listToolFiles } from '../../../src/registry/load.ts';
import { keysInText } from '../../../src/registry/unique-keys.ts';

const COUNTED: Record<string, [string, number]> = {
  'block keys and a sequence of maps': ['a: 1\nb:\n  - c: 2\n    d: 3\n  - - e: 4\n', 5],
  'flow maps and sequences over lines': ['a: { b: 1,\n  c: [d, { e: 2 }], f }\n', 5],
  'JSON-like flow keys': ['a: {"b":1, \'c\' :2}\n', 3],
  'quoted keys and values over lines': ['"a b": "x\n  y"\n\'c\': 1 # d: 2\n', 2],
  'block scalars, with an explicit indentation and tabs': ['a: >2-\n   x: 1\n  y: 2\nb: |\n  \tz: 3\nc: 1\n', 3],
  'a plain scalar over lines': ['a: one\n  two\n  three\nb: 2\n', 2],
  'plain scalars that start with -': ['a:\n  - -b\n-c: 1\n', 2],
  'a document start and comments': ['# a: 1\n---\nb: 2 # c: 3\n# d: 4\n', 1],
  'colons inside plain scalars': ['a: http://x/y:z\nb: [c:d, "e"]\n', 2],
};
const UNDECIDED: Record<string, string> = {
  'a carriage return': 'a: 1\r\nb: 2\r\n',
  'a tab before a key': 'a:\n\tb: 1\n',
  'an alias': 'a: &x 1\nb: *x\n',
  'a tag': 'a: !!str 1\n',
  'an explicit key': '? a\n: 1\n',
  'a second document': 'a: 1\n---\nb: 2\n',
  'a colon in a plain continuation line': 'a: one\n  two: three\n',
  'a block scalar line less indented than the first': 'a: |\n    x\n  y\n',
  'a key longer than 1024 characters': `${'k'.repeat(1100)}: 1\n`,
  'a quoted key over lines': '"a\n b": 1\n',
  'an unclosed flow collection': 'a: { b: 1\n',
};

for (const [name, [text, keys]] of Object.entries(COUNTED))
  test(`counted as the lexer counts: ${name}`, () => expect([scanKeys(text), keysInText(text)]).toEqual([keys, keys]));
for (const [name, text] of Object.entries(UNDECIDED)) test(`left to the lexer: ${name}`, () => expect(scanKeys(text)).toBeUndefined());

test('the scan counts every example tool file and agrees with the lexer', () => {
  const files = listToolFiles(join(import.meta.dir, '../../../tools'));
  expect(files.length).toBeGreaterThan(0);
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    expect([f, scanKeys(text)]).toEqual([f, keysInText(text)]);
  }
});

test("a doubled line of a tool file: a count equal to Bun.YAML's only where no key repeats", () => {
  const { parseDocument } = require('yaml') as typeof import('yaml');
  const text = readFileSync(listToolFiles(join(import.meta.dir, '../../../tools'))[0]!, 'utf8');
  const lines = text.split('\n');
  let proven = 0;
  for (let i = 0; i < lines.length; i++) {
    const doubled = [...lines.slice(0, i + 1), ...lines.slice(i)].join('\n');
    let value: unknown;
    try {
      value = Bun.YAML.parse(doubled);
    } catch {
      continue;
    }
    if (scanKeys(doubled) !== keysIn(value)) continue;
    proven++;
    expect([i, parseDocument(doubled, { uniqueKeys: true }).errors.map((e) => e.code)]).toEqual([i, []]);
  }
  expect(proven).toBeGreaterThan(0);
});

function keysIn(v: unknown): number {
  if (v === null || typeof v !== 'object') return 0;
  const values = Array.isArray(v) ? v : Object.values(v);
  return (Array.isArray(v) ? 0 : values.length) + values.reduce<number>((n, x) => n + keysIn(x), 0);
}
