// Every boolean setting accepts the same spellings, and the gateway acts on them (not only `1`).
import { afterAll, expect, test } from 'bun:test';
import { rmSync } from 'node:fs';
import { createApp } from '../../../src/app.ts';
import { resolveConfig } from '../../../src/config/config.ts';
import { FALSE_WORDS, SETTINGS, TRUE_WORDS } from '../../../src/config/settings.ts';
import { silentLogger } from '../../../src/log.ts';
import { tempDir, toolsDir } from '../../helpers/files.ts';

const BOOLS = SETTINGS.filter((s) => s.kind === 'bool');
const spellings = (words: readonly string[]) => words.flatMap((w) => [w, w.toUpperCase(), ` ${w[0]!.toUpperCase()}${w.slice(1)} `]);
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test('every boolean setting reads true, 1, yes, on as true and false, 0, no, off as false, in any case', () => {
  expect(BOOLS.length).toBeGreaterThan(1);
  for (const s of BOOLS) {
    const read = (v: string) => resolveConfig({}, { [s.env]: v })[s.key];
    expect({ [s.key]: spellings(TRUE_WORDS).map(read) }).toEqual({ [s.key]: spellings(TRUE_WORDS).map(() => true) });
    expect({ [s.key]: spellings(FALSE_WORDS).map(read) }).toEqual({ [s.key]: spellings(FALSE_WORDS).map(() => false) });
    expect(resolveConfig({}, {})[s.key]).toBe(false);
  }
});

test('any other value of a boolean setting is an error naming the variable', () => {
  for (const s of BOOLS) {
    expect(() => resolveConfig({}, { [s.env]: 'maybe' })).toThrow(`${s.env}: expected true or false`);
  }
});

async function startsOnAllInterfaces(allow: string | undefined): Promise<string> {
  const data = tempDir('nexus-bool-');
  dirs.push(data);
  const env = { NEXUS_DATA_DIR: data, ...(allow !== undefined && { NEXUS_ALLOW_UNAUTHENTICATED: allow }) };
  const config = resolveConfig({ host: '0.0.0.0', port: '0', tools: toolsDir({}) }, env);
  try {
    const app = await createApp({ config, log: silentLogger, env });
    await app.close();
    return 'started';
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
}

test('NEXUS_ALLOW_UNAUTHENTICATED=true (and every true spelling) lets serve bind 0.0.0.0 without auth', async () => {
  const outcomes: Record<string, string> = {};
  for (const v of ['true', 'TRUE', '1', 'yes', 'on', 'false', '0', undefined]) outcomes[String(v)] = await startsOnAllInterfaces(v);
  expect(outcomes).toEqual({
    true: 'started',
    TRUE: 'started',
    '1': 'started',
    yes: 'started',
    on: 'started',
    false: 'INVALID_CONFIG',
    '0': 'INVALID_CONFIG',
    undefined: 'INVALID_CONFIG',
  });
});
