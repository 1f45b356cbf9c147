import { expect, test } from 'bun:test';
import { argsDigest, sha256Hex } from '../../../src/util/digest.ts';

test('sha256Hex is SHA-256 of the UTF-8 text, lower-case hex (FIPS 180-2 vectors)', () => {
  expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  expect(sha256Hex('é')).toBe(new Bun.CryptoHasher('sha256').update('é').digest('hex'));
});

test('argsDigest hashes the canonical JSON: key order does not matter', () => {
  expect(argsDigest({ b: 1, a: [2, { d: 3, c: 4 }] })).toBe(argsDigest({ a: [2, { c: 4, d: 3 }], b: 1 }));
  expect(argsDigest({ id: '42' })).toBe(sha256Hex('{"id":"42"}'));
});
