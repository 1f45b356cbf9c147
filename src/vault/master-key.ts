// Where the master key comes from: NEXUS_MASTER_KEY (base64), NEXUS_MASTER_KEY_FILE, or, embedded
// only, a key generated once into <dataDir>/master.key (mode 0600).

import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/config.ts';
import { NexusError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { registerSecret } from '../util/redact.ts';
import { KEY_BYTES } from './crypto.ts';

export const masterKeyFile = (dataDir: string): string => join(dataDir, 'master.key');

/** Decodes base64 text into exactly 32 bytes, or INVALID_CONFIG naming where it came from. */
export function decodeKey(text: string, source: string): Uint8Array {
  const t = text.trim();
  const bytes = Buffer.from(t, 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(t) || bytes.length !== KEY_BYTES) {
    throw new NexusError('INVALID_CONFIG', `${source} must be ${KEY_BYTES} random bytes in base64 (openssl rand -base64 32)`);
  }
  const weak = weakness(bytes);
  if (weak) throw new NexusError('INVALID_CONFIG', `${source} is not a random key (${weak}): generate one with openssl rand -base64 32`);
  registerSecret(t);
  return new Uint8Array(bytes);
}

/** Why these bytes cannot be a random key, or undefined: a repeated pattern or far too few distinct bytes. */
export function weakness(bytes: Uint8Array): string | undefined {
  if (bytes.every((b) => b === 0)) return 'all zero';
  if (bytes.every((b) => b === bytes[0])) return 'one byte repeated';
  // 32 random bytes repeat with a period of at most 16 with probability below 2^-128
  for (let p = 2; p <= bytes.length / 2; p++) if (bytes.every((b, i) => b === bytes[i % p])) return `a ${p}-byte pattern repeated`;
  // 32 random bytes have about 30 distinct values; fewer than 12 happens with probability below 2^-80
  if (new Set(bytes).size < 12) return 'too few distinct bytes';
  return undefined;
}

function readKeyFile(path: string, source: string): Uint8Array {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new NexusError('INVALID_CONFIG', `cannot read ${source} (${path})`, { cause: e });
  }
  return decodeKey(text, `${source} (${path})`);
}

/** A key from the setting `<name>` (inline base64) or `<name>_FILE`; undefined when neither is set. */
export function keyFrom(inline: string | undefined, file: string | undefined, name: string): Uint8Array | undefined {
  if (inline && file) throw new NexusError('INVALID_CONFIG', `set ${name} or ${name}_FILE, not both`);
  if (inline) return decodeKey(inline, name);
  if (file) return readKeyFile(file, `${name}_FILE`);
  return undefined;
}

function generated(dataDir: string, log: Logger): Uint8Array {
  const path = masterKeyFile(dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  try {
    writeFileSync(path, `${randomBytes(KEY_BYTES).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(path, 0o600);
    log.warn('generated a master key; back it up, the vault cannot be opened without it', { path });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new NexusError('INVALID_CONFIG', `cannot write the master key to ${path}`, { cause: e });
    }
    if ((statSync(path).mode & 0o077) !== 0) log.warn('the master key file is readable by others; chmod 600 it', { path });
  }
  return readKeyFile(path, 'the master key file');
}

export function loadMasterKey(config: Pick<Config, 'masterKey' | 'masterKeyFile' | 'dataDir' | 'databaseUrl'>, log: Logger): Uint8Array {
  const key = keyFrom(config.masterKey, config.masterKeyFile, 'NEXUS_MASTER_KEY');
  if (key) return key;
  if (config.databaseUrl) {
    throw new NexusError(
      'INVALID_CONFIG',
      'a shared database (DATABASE_URL) needs the same master key on every instance: set NEXUS_MASTER_KEY or NEXUS_MASTER_KEY_FILE',
    );
  }
  return generated(config.dataDir, log);
}

/** The master key as configured right now, read again (never generated): a replaced key file shows here. */
export function currentMasterKey(config: Pick<Config, 'masterKey' | 'masterKeyFile' | 'dataDir' | 'databaseUrl'>): Uint8Array | undefined {
  const key = keyFrom(config.masterKey, config.masterKeyFile, 'NEXUS_MASTER_KEY');
  if (key || config.databaseUrl) return key;
  return existsSync(masterKeyFile(config.dataDir)) ? readKeyFile(masterKeyFile(config.dataDir), 'the master key file') : undefined;
}
