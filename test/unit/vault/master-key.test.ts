// Where the master key comes from, and the clear errors when it cannot be had.
import { afterAll, describe, expect, test } from 'bun:test';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../../../src/config/config.ts';
import type { NexusError } from '../../../src/errors.ts';
import type { Logger } from '../../../src/log.ts';
import { createLogger, silentLogger } from '../../../src/log.ts';
import { keyFrom, loadMasterKey as load, masterKeyFile } from '../../../src/vault/master-key.ts';

// The settings as `serve` resolves them; shared mode is a DATABASE_URL
const loadMasterKey = (env: Record<string, string | undefined>, dataDir: string, log: Logger, opts: { embedded: boolean }) =>
  load(resolveConfig({ 'data-dir': dataDir }, { ...env, ...(!opts.embedded && { DATABASE_URL: 'postgres://db/nexus' }) }), log);

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

  test('a weak master key (all zero, one repeated byte, a repeated short string, few distinct bytes) is refused, saying why', () => {
    const b64 = (b: Uint8Array | Buffer) => Buffer.from(b).toString('base64');
    const weak = {
      zero: b64(new Uint8Array(32)),
      oneByte: b64(Buffer.alloc(32, 0x41)),
      pair: b64(Buffer.from('ab'.repeat(16))),
      word: b64(Buffer.from('secret12'.repeat(4))),
      half: b64(Buffer.concat([randomBytes(16)].flatMap((h) => [h, h]))),
      fewDistinct: b64(Buffer.from('31415926535897932384626433832795')), // ten distinct digits
    };
    const messages = Object.fromEntries(
      Object.entries(weak).map(([k, key]) => {
        try {
          loadMasterKey({ NEXUS_MASTER_KEY: key }, dir(), silentLogger, { embedded: false });
          return [k, 'accepted'];
        } catch (e) {
          return [k, `${(e as NexusError).code}: ${(e as NexusError).message}`];
        }
      }),
    );
    const refused = (why: string) =>
      `INVALID_CONFIG: NEXUS_MASTER_KEY is not a random key (${why}): generate one with openssl rand -base64 32`;
    expect(messages).toEqual({
      zero: refused('all zero'),
      oneByte: refused('one byte repeated'),
      pair: refused('a 2-byte pattern repeated'),
      word: refused('a 8-byte pattern repeated'),
      half: refused('a 16-byte pattern repeated'),
      fewDistinct: refused('too few distinct bytes'),
    });
    // the check never refuses real random keys
    const d = dir();
    for (let i = 0; i < 2000; i++) loadMasterKey({ NEXUS_MASTER_KEY: b64(randomBytes(32)) }, d, silentLogger, { embedded: false });
  });

  test('a weak key file and a weak new key for rotate-master are refused the same way', () => {
    const file = join(dir(), 'key');
    writeFileSync(file, `${Buffer.alloc(32).toString('base64')}\n`);
    expect(code(() => loadMasterKey({ NEXUS_MASTER_KEY_FILE: file }, dir(), silentLogger, { embedded: false }))).toBe('INVALID_CONFIG');
    expect(code(() => keyFrom(Buffer.alloc(32, 7).toString('base64'), undefined, 'NEXUS_NEW_MASTER_KEY'))).toBe('INVALID_CONFIG');
  });
});
