// AES-256-GCM envelope: known answers, round trips, and every kind of tampering failing closed.
import { describe, expect, test } from 'bun:test';
import { randomBytes } from 'node:crypto';
import * as c from '../../../src/vault/crypto.ts';

const hex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const utf8 = (s: string) => new TextEncoder().encode(s);
const code = (fn: () => unknown) => {
  try {
    fn();
    return 'no error';
  } catch (e) {
    return (e as { code?: string }).code;
  }
};

// McGrew & Viega, "The Galois/Counter Mode of Operation", test cases 13, 14 and 16 (AES-256).
const VECTORS = [
  { name: '13', key: '00'.repeat(32), iv: '00'.repeat(12), pt: '', aad: '', ct: '', tag: '530f8afbc74536b9a963b4f1c4cb738b' },
  {
    name: '14',
    key: '00'.repeat(32),
    iv: '00'.repeat(12),
    pt: '00'.repeat(16),
    aad: '',
    ct: 'cea7403d4d606b6e074ec5d3baf39d18',
    tag: 'd0d1c8a799996bf0265b98b5d48ab919',
  },
  {
    name: '16',
    key: 'feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308',
    iv: 'cafebabefacedbaddecaf888',
    pt: 'd9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39',
    aad: 'feedfacedeadbeeffeedfacedeadbeefabaddad2',
    ct: '522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662',
    tag: '76fc6ece0f4e1768cddf8853bb2d551b',
  },
];

describe('AES-256-GCM known answers', () => {
  for (const v of VECTORS) {
    test(`GCM test case ${v.name} encrypts to the published ciphertext and tag and decrypts back`, () => {
      const out = c.gcmEncrypt(hex(v.key), hex(v.iv), hex(v.pt), hex(v.aad));
      expect(toHex(out)).toBe(v.ct + v.tag);
      expect(toHex(c.gcmDecrypt(hex(v.key), hex(v.iv), out, hex(v.aad)))).toBe(v.pt);
    });
  }
});

describe('seal and open', () => {
  const key = c.randomKey();
  const aad = utf8('row 1');

  test('a sealed value opens back to the same bytes', () => {
    const plain = new Uint8Array(randomBytes(100));
    expect(c.open(key, c.seal(key, plain, aad), aad, 'row')).toEqual(plain);
  });

  test('every seal uses a fresh 96-bit nonce and a 128-bit tag', () => {
    const sealed = Array.from({ length: 200 }, () => c.seal(key, utf8('same'), aad));
    expect(new Set(sealed.map((s) => s.nonce)).size).toBe(200);
    expect(Buffer.from(sealed[0]!.nonce, 'base64').length).toBe(12);
    expect(Buffer.from(sealed[0]!.ciphertext, 'base64').length).toBe(4 + 16);
  });

  test('a flipped bit anywhere, a truncated tag, another key or other associated data fail with VAULT_ERROR', () => {
    const sealed = c.seal(key, utf8('value'), aad);
    const bytes = Buffer.from(sealed.ciphertext, 'base64');
    const variants = [
      ...Array.from({ length: bytes.length }, (_, i) => {
        const b = Buffer.from(bytes);
        b[i]! ^= 1;
        return { ...sealed, ciphertext: b.toString('base64') };
      }),
      { ...sealed, ciphertext: bytes.subarray(0, bytes.length - 1).toString('base64') },
      { ...sealed, ciphertext: bytes.subarray(0, bytes.length - 16).toString('base64') },
      { ...sealed, nonce: c.seal(key, utf8('x'), aad).nonce },
    ];
    for (const v of variants) expect(code(() => c.open(key, v, aad, 'row'))).toBe('VAULT_ERROR');
    expect(code(() => c.open(c.randomKey(), sealed, aad, 'row'))).toBe('VAULT_ERROR');
    expect(code(() => c.open(key, sealed, utf8('row 2'), 'row'))).toBe('VAULT_ERROR');
  });

  test('the error names the row and carries no part of the secret', () => {
    const secret = randomBytes(18).toString('base64');
    const sealed = c.seal(key, utf8(secret), aad);
    let message = '';
    try {
      c.open(c.randomKey(), sealed, aad, 'credential "crm" version 2');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toStartWith('credential "crm" version 2 failed to open');
    expect(message).not.toContain(secret);
    expect(message).not.toContain(sealed.ciphertext);
  });
});

describe('envelope', () => {
  const master = c.randomKey();
  const kek = c.randomKey();
  const row = { credentialId: 'id-1', name: 'crm', type: 'bearer', principal: null, version: 1 };
  const plain = utf8('{"token":"x"}');

  test('a secret sealed under KEK v1 opens after its DEK is re-wrapped under v2, and no longer under v1', () => {
    const sealed = c.sealSecret(kek, 1, row, plain);
    const kek2 = c.randomKey();
    const dek = c.rewrapDek({ kek, version: 1 }, { kek: kek2, version: 2 }, row, sealed.dek);
    expect(c.openSecret(kek2, 2, row, { ...sealed, dek })).toEqual(plain);
    expect(code(() => c.openSecret(kek, 1, row, { ...sealed, dek }))).toBe('VAULT_ERROR');
  });

  test('a sealed secret is bound to its credential id, version, name, principal and type', () => {
    const sealed = c.sealSecret(kek, 1, row, plain);
    for (const other of [
      { ...row, credentialId: 'id-2' },
      { ...row, version: 2 },
      { ...row, name: 'crm2' },
      { ...row, principal: 'key:alice' },
      { ...row, type: 'basic' },
    ]) {
      expect(code(() => c.openSecret(kek, 1, other, sealed))).toBe('VAULT_ERROR');
    }
    expect(code(() => c.openSecret(kek, 2, row, sealed))).toBe('VAULT_ERROR');
  });

  test('a KEK opens only under its master key and its own version', () => {
    const sealed = c.sealKek(master, 3, kek);
    expect(c.openKek(master, 3, sealed)).toEqual(kek);
    expect(code(() => c.openKek(master, 4, sealed))).toBe('VAULT_ERROR');
    expect(code(() => c.openKek(c.randomKey(), 3, sealed))).toBe('VAULT_ERROR');
  });

  test('the key check opens with the right master key only', () => {
    const check = c.sealKeyCheck(master);
    expect([c.opensKeyCheck(master, check), c.opensKeyCheck(c.randomKey(), check)]).toEqual([true, false]);
  });
});
