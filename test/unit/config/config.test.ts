// Static settings: flags over env over defaults, every bad value listed, and the README documents them all.
import { expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveConfig } from '../../../src/config/config.ts';
import { SETTINGS } from '../../../src/config/settings.ts';

test('a flag overrides the environment, which overrides the default', () => {
  expect(resolveConfig({}, {}).port).toBe(8080);
  expect(resolveConfig({}, { NEXUS_PORT: '9000' }).port).toBe(9000);
  expect(resolveConfig({ port: '9100' }, { NEXUS_PORT: '9000' }).port).toBe(9100);
});

test('every invalid value is reported at once, naming where it came from', () => {
  const err = (() => {
    try {
      resolveConfig({ port: 'eighty' }, { LOG_LEVEL: 'loud', NEXUS_DRAIN_TIMEOUT: 'soon' });
    } catch (e) {
      return e as { code: string; details: { problems: string[] } };
    }
  })();
  expect(err?.code).toBe('INVALID_CONFIG');
  expect(err?.details.problems).toEqual([
    '--port: expected a whole number, got "eighty"',
    'LOG_LEVEL: expected one of debug, info, warn, error, got "loud"',
    'NEXUS_DRAIN_TIMEOUT: expected a duration like 30s or 5m, got "soon"',
  ]);
});

test('the README configuration table lists every setting', () => {
  const readme = readFileSync(join(import.meta.dir, '../../../README.md'), 'utf8');
  expect(SETTINGS.filter((s) => !readme.includes(`\`${s.env}\``)).map((s) => s.env)).toEqual([]);
});
