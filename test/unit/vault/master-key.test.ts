// Where the master key comes from, and the clear errors when it cannot be had.
import { afterAll, describe, expect, test } from 'bun:test';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NexusError } from '../../../src/errors.ts';
import { createLogger, silentLogger } from '../../../src/log.ts';
import { loadMasterKey, masterKeyFile } from '../../../src/vault/master-key.ts';

const root = mkdtempSync(join(tmpdir(), 'nexus-mk-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const dir = () => mkdtempSync(join(root, 'd-'));
const code = (fn: () => unknown) => {
  try {
    fn();
    return 'no error';
  } catch (e) {
    return (e as NexusError).code;
  }
};

describe('loadMasterKey', () => {
  test('NEXUS_MASTER_KEY in base64 gives its 32 bytes', () => {
    const key = randomBytes(32);
    const got = loadMasterKey({ NEXUS_MASTER_KEY: key.toString('base64') }, dir(), silentLogger, { embedded: false });
    expect(Buffer.from(got).equals(key)).toBe(true);
  });

  test('NEXUS_MASTER_KEY_FILE is read and trimmed', () => {
    const key = randomBytes(32);
    const file = join(dir(), 'key');
    writeFileSync(file, `${key.toString('base64')}\n`);
    const got = loadMasterKey({ NEXUS_MASTER_KEY_FILE: file }, dir(), silentLogger, { embedded: false });
    expect(Buffer.from(got).equals(key)).toBe(true);
  });

  test('embedded with neither generates <dataDir>/master.key with mode 0600, logs where, and reuses it', () => {
    const d = dir();
    const lines: string[] = [];
    const log = createLogger({ write: (l) => lines.push(l) });
    const first = loadMasterKey({}, d, log, { embedded: true });
    expect(statSync(masterKeyFile(d)).mode & 0o777).toBe(0o600);
    expect(lines.map((l) => JSON.parse(l))).toEqual([expect.objectContaining({ level: 'warn', path: masterKeyFile(d) })]);
    expect(lines.join()).not.toContain(readFileSync(masterKeyFile(d), 'utf8').trim());
    expect(loadMasterKey({}, d, log, { embedded: true })).toEqual(first);
    expect(lines.length).toBe(1);
  });

  test('shared mode with neither is INVALID_CONFIG', () => {
    expect(code(() => loadMasterKey({}, dir(), silentLogger, { embedded: false }))).toBe('INVALID_CONFIG');
  });

  test('a wrong length, bad base64, both sources or an unreadable file is INVALID_CONFIG', () => {
    const cases = [
      { NEXUS_MASTER_KEY: randomBytes(16).toString('base64') },
      { NEXUS_MASTER_KEY: 'not base64 at all!' },
      { NEXUS_MASTER_KEY: randomBytes(32).toString('base64'), NEXUS_MASTER_KEY_FILE: '/x' },
      { NEXUS_MASTER_KEY_FILE: join(root, 'missing') },
    ];
    for (const env of cases) expect(code(() => loadMasterKey(env, dir(), silentLogger, { embedded: true }))).toBe('INVALID_CONFIG');
  });
});
