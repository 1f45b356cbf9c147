// Pure envelope encryption with AES-256-GCM: master key -> KEKs -> per-version DEKs -> secrets.
// Every ciphertext is bound to its row through the associated data, so one moved elsewhere fails.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { NexusError } from '../errors.ts';

export const KEY_BYTES = 32;
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;

/** Base64 nonce and base64 ciphertext followed by its tag, as stored. */
export interface Sealed {
  readonly nonce: string;
  readonly ciphertext: string;
}

/** Where a credential version lives: everything its ciphertexts are bound to. */
export interface SecretRow {
  readonly credentialId: string;
  readonly name: string;
  readonly type: string;
  readonly principal: string | null;
  readonly version: number;
}

export const randomKey = (): Uint8Array => new Uint8Array(randomBytes(KEY_BYTES));

/** AES-256-GCM with a caller-chosen nonce; returns ciphertext || tag. Only `seal` picks nonces. */
export function gcmEncrypt(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
  const c = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  c.setAAD(aad);
  return new Uint8Array(Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()]));
}

/** Inverse of gcmEncrypt; throws on any mismatch, including a short tag. */
export function gcmDecrypt(key: Uint8Array, nonce: Uint8Array, data: Uint8Array, aad: Uint8Array): Uint8Array {
  if (key.length !== KEY_BYTES || nonce.length !== NONCE_BYTES || data.length < TAG_BYTES) {
    throw new Error('malformed ciphertext');
  }
  const d = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  d.setAAD(aad);
  d.setAuthTag(data.subarray(data.length - TAG_BYTES));
  return new Uint8Array(Buffer.concat([d.update(data.subarray(0, data.length - TAG_BYTES)), d.final()]));
}

const bytes = (b64: string): Uint8Array => new Uint8Array(Buffer.from(b64, 'base64'));
const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');
/** Unambiguous associated data: a JSON array, so no two different tuples encode alike. */
const bind = (...parts: Array<string | number | null>): Uint8Array => new TextEncoder().encode(JSON.stringify(['nexus', ...parts]));

export function seal(key: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Sealed {
  const nonce = new Uint8Array(randomBytes(NONCE_BYTES));
  return { nonce: b64(nonce), ciphertext: b64(gcmEncrypt(key, nonce, plaintext, aad)) };
}

/** Opens or fails closed with VAULT_ERROR naming `what` (a row), never its content. */
export function open(key: Uint8Array, sealed: Sealed, aad: Uint8Array, what: string): Uint8Array {
  try {
    return gcmDecrypt(key, bytes(sealed.nonce), bytes(sealed.ciphertext), aad);
  } catch (e) {
    throw new NexusError('VAULT_ERROR', `${what} failed to open: it was altered, moved from another row, or sealed under another key`, {
      cause: e,
    });
  }
}

const KEY_CHECK = new TextEncoder().encode('nexus vault key check v1');
const describe = (r: SecretRow) => `credential "${r.name}"${r.principal ? ` (for ${r.principal})` : ''} version ${r.version}`;

export const sealKeyCheck = (master: Uint8Array): Sealed => seal(master, KEY_CHECK, bind('key-check'));

/** True when `master` opens the key check; false (never an exception) when it does not. */
export function opensKeyCheck(master: Uint8Array, sealed: Sealed): boolean {
  try {
    return Buffer.from(open(master, sealed, bind('key-check'), 'key check')).equals(KEY_CHECK);
  } catch {
    return false;
  }
}

export const sealKek = (master: Uint8Array, version: number, kek: Uint8Array): Sealed => seal(master, kek, bind('kek', version));

export const openKek = (master: Uint8Array, version: number, sealed: Sealed): Uint8Array =>
  open(master, sealed, bind('kek', version), `key-encryption key version ${version}`);

const dekAad = (r: SecretRow, kekVersion: number) => bind('dek', r.credentialId, r.version, kekVersion);
const secretAad = (r: SecretRow) => bind('secret', r.credentialId, r.version, r.name, r.principal, r.type);

/** A sealed credential version: its DEK wrapped under the KEK, its secret sealed under the DEK. */
export interface SealedSecret {
  readonly dek: Sealed;
  readonly secret: Sealed;
}

export function sealSecret(kek: Uint8Array, kekVersion: number, row: SecretRow, plaintext: Uint8Array): SealedSecret {
  const dek = randomKey();
  return { dek: seal(kek, dek, dekAad(row, kekVersion)), secret: seal(dek, plaintext, secretAad(row)) };
}

export function openSecret(kek: Uint8Array, kekVersion: number, row: SecretRow, sealed: SealedSecret): Uint8Array {
  const dek = open(kek, sealed.dek, dekAad(row, kekVersion), `data key of ${describe(row)}`);
  return open(dek, sealed.secret, secretAad(row), describe(row));
}

/** The same DEK wrapped under another KEK version: rotation never decrypts the secret itself. */
export function rewrapDek(
  from: { kek: Uint8Array; version: number },
  to: { kek: Uint8Array; version: number },
  row: SecretRow,
  dek: Sealed,
): Sealed {
  const plain = open(from.kek, dek, dekAad(row, from.version), `data key of ${describe(row)}`);
  return seal(to.kek, plain, dekAad(row, to.version));
}
