// Someone with write access to the database moves, flips or cuts ciphertexts: every read fails closed.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'bun:test';
import type { Db } from '../../../src/db/types.ts';
import { Vault } from '../../../src/vault/vault.ts';
import { STORE_KINDS, type TestStore, testStore } from '../db/stores.ts';
import { canary, codeOf, randomMasterKey, rejection } from './secrets.ts';

type V = { credential_id: string; dek_nonce: string; wrapped_dek: string; nonce: string; ciphertext: string };

const versionOf = async (db: Db, name: string): Promise<V> =>
  (
    await db.query<V>(
      `SELECT v.credential_id, v.dek_nonce, v.wrapped_dek, v.nonce, v.ciphertext FROM vault_credential_versions v
       JOIN vault_credentials c ON c.id = v.credential_id AND c.version = v.version WHERE c.name = $1`,
      [name],
    )
  )[0]!;

const setVersion = (db: Db, id: string, cols: Partial<V>) =>
  db.run(
    `UPDATE vault_credential_versions SET ${Object.keys(cols)
      .map((k, i) => `${k} = $${i + 2}`)
      .join(', ')} WHERE credential_id = $1`,
    [id, ...Object.values(cols)],
  );

const flip = (b64: string, at: number) => {
  const b = Buffer.from(b64, 'base64');
  b[at]! ^= 0x80;
  return b.toString('base64');
};

for (const kind of STORE_KINDS) {
  describe(`tampering on ${kind}`, () => {
    let store: TestStore;
    let master: Uint8Array;
    let vault: Vault;
    beforeAll(async () => {
      store = await testStore(kind);
    });
    afterAll(() => store.close());
    beforeEach(async () => {
      await store.db.run('DELETE FROM vault_credential_versions');
      await store.db.run('DELETE FROM vault_credentials');
      await store.db.run('DELETE FROM vault_keks');
      await store.db.run('DELETE FROM vault_key_check');
      master = randomMasterKey();
      vault = await Vault.open(store.db, master);
      await vault.put('a', 'bearer', { token: canary() });
      await vault.put('b', 'bearer', { token: canary() });
    });

    const fails = async (name: string) => {
      const e = await rejection(vault.resolve(name));
      return [codeOf(e), (e as Error).message.includes(`credential "${name}"`)];
    };

    test('a ciphertext copied onto another row fails to open', async () => {
      const [a, b] = [await versionOf(store.db, 'a'), await versionOf(store.db, 'b')];
      await setVersion(store.db, b.credential_id, { nonce: a.nonce, ciphertext: a.ciphertext });
      expect(await fails('b')).toEqual(['VAULT_ERROR', true]);
    });

    test('a whole version (data key and ciphertext) moved to another row fails to open', async () => {
      const [a, b] = [await versionOf(store.db, 'a'), await versionOf(store.db, 'b')];
      await setVersion(store.db, b.credential_id, {
        dek_nonce: a.dek_nonce,
        wrapped_dek: a.wrapped_dek,
        nonce: a.nonce,
        ciphertext: a.ciphertext,
      });
      expect(await fails('b')).toEqual(['VAULT_ERROR', true]);
    });

    test('a flipped bit in the ciphertext or in the wrapped data key fails to open', async () => {
      const [a, b] = [await versionOf(store.db, 'a'), await versionOf(store.db, 'b')];
      await setVersion(store.db, a.credential_id, { ciphertext: flip(a.ciphertext, 0) });
      await setVersion(store.db, b.credential_id, { wrapped_dek: flip(b.wrapped_dek, 3) });
      expect([await fails('a'), await fails('b')]).toEqual([
        ['VAULT_ERROR', true],
        ['VAULT_ERROR', true],
      ]);
    });

    test('a truncated tag fails to open', async () => {
      const a = await versionOf(store.db, 'a');
      const bytes = Buffer.from(a.ciphertext, 'base64');
      await setVersion(store.db, a.credential_id, { ciphertext: bytes.subarray(0, bytes.length - 4).toString('base64') });
      expect(await fails('a')).toEqual(['VAULT_ERROR', true]);
    });

    test('a credential re-labelled for another principal or type fails to open', async () => {
      await store.db.run("UPDATE vault_credentials SET principal = 'key:mallory' WHERE name = $1", ['a']);
      await store.db.run("UPDATE vault_credentials SET type = 'api_key' WHERE name = $1", ['b']);
      expect(codeOf(await rejection(vault.resolve('a', 'key:mallory')))).toBe('VAULT_ERROR');
      expect(await fails('b')).toEqual(['VAULT_ERROR', true]);
    });

    test('a flipped bit in a wrapped KEK fails to open for an instance that has not cached it', async () => {
      const [k] = await store.db.query<{ wrapped_key: string }>('SELECT wrapped_key FROM vault_keks');
      await store.db.run('UPDATE vault_keks SET wrapped_key = $1', [flip(k!.wrapped_key, 5)]);
      const fresh = await Vault.open(store.db, master);
      expect(codeOf(await rejection(fresh.resolve('a')))).toBe('VAULT_ERROR');
    });

    test('a wrong master key is refused before any credential is read', async () => {
      const e = await rejection(Vault.open(store.db, randomMasterKey()));
      expect(codeOf(e)).toBe('VAULT_ERROR');
      expect((e as Error).message).toStartWith('the master key does not open this vault');
    });
  });
}
