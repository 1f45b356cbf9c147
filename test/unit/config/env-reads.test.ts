// Settings are read through Config only: no module outside src/config/ reads the environment itself.
import { expect, test } from 'bun:test';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { SETTINGS } from '../../../src/config/settings.ts';

const SRC = join(import.meta.dir, '../../../src');
const files = (readdirSync(SRC, { recursive: true }) as string[])
  .filter((f) => f.endsWith('.ts'))
  .map((f) => ({ path: relative(SRC, join(SRC, f)), text: readFileSync(join(SRC, f), 'utf8') }));
const outsideConfig = files.filter((f) => !f.path.startsWith('config/'));

// The two documented exceptions: `${env:NAME}` in tool files, and the environment of a spawned process.
const MAY_READ_ENV: Record<string, string> = {
  'registry/load.ts': '${env:NAME} interpolation in tool files',
  'registry/interpolate.ts': '${env:NAME} interpolation in tool files',
  'upstream/stdio.ts': 'the environment of a spawned process (PATH, HOME)',
};

test('no module outside src/config/ reads process.env or Bun.env, except the documented exceptions', () => {
  const readers = outsideConfig
    .filter((f) => /\b(process\.env|Bun\.env)\b/.test(f.text.replace(/^\s*(\/\/|\*).*$/gm, '')))
    .map((f) => f.path);
  expect(readers.filter((p) => !(p in MAY_READ_ENV))).toEqual([]);
  for (const p of readers) expect(readFileSync(join(SRC, p), 'utf8')).toContain('documented exception');
});

test('no module outside src/config/ looks up a variable in an environment record', () => {
  const lookups = outsideConfig.flatMap((f) =>
    [...f.text.matchAll(/\benv\??\.(?!ts\b)[A-Za-z_]+\b|\benv\??\.?\[/g)].map((m) => `${f.path}: ${m[0]}`),
  );
  expect(lookups.filter((l) => !(l.split(':')[0]! in MAY_READ_ENV))).toEqual([]);
});

test('every setting in the table is read through Config somewhere in src/', () => {
  const code = outsideConfig.map((f) => f.text).join('\n');
  const unread = SETTINGS.filter((s) => !new RegExp(`\\.${s.key}\\b|\\b${s.key}\\s*:`).test(code)).map((s) => s.key);
  expect(unread).toEqual([]);
});
