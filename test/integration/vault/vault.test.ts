// The vault contract, run against SQLite and PostgreSQL alike.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { redactText } from '../../../src/util/redact.ts';
import { Vault } from '../../../src/vault/vault.ts';
import { STORE_KINDS, type TestStore, testStore } from '../db/stores.ts';
import { canary, codeOf, randomMasterKey, rejection } from './secrets.ts';

const any = expect.any(Number);

for (const kind of STORE_KINDS) {
  describe(`vault on ${kind}`, () => {
    let store: TestStore;
    let vault: Vault;
    const master = randomMasterKey();
    beforeAll(async () => {
      store = await testStore(kind);
      vault = await Vault.open(store.db, master);
    });
    afterAll(() => store.close());

    test('a stored credential resolves to its fields, type and version', async () => {
      const secret = { username: 'bot', password: canary() };
      expect(await vault.put('jira-bot', 'basic', secret)).toEqual({
        name: 'jira-bot',
        type: 'basic',
        principal: null,
        version: 1,
        createdAt: any,
        updatedAt: any,
      });
      expect(await vault.resolve('jira-bot')).toEqual({ name: 'jira-bot', type: 'basic', version: 1, principal: null, secret });
    });

    test('a put on an existing name adds a version and resolve returns the newest', async () => {
      await vault.put('gh', 'bearer', { token: canary() });
      const token = canary();
      expect((await vault.put('gh', 'bearer', { token })).version).toBe(2);
      expect(await vault.resolve('gh')).toEqual({ name: 'gh', type: 'bearer', version: 2, principal: null, secret: { token } });
    });

    test("a principal's own credential wins over the shared one; others get the shared one", async () => {
      const shared = canary();
      const alices = canary();
      await vault.put('crm', 'api_key', { key: shared });
      await vault.put('crm', 'api_key', { key: alices }, 'key:alice');
      expect((await vault.resolve('crm', 'key:alice')).secret).toEqual({ key: alices });
      expect((await vault.resolve('crm', 'key:bob')).secret).toEqual({ key: shared });
      expect((await vault.resolve('crm')).principal).toBeNull();
      expect(await vault.lookup('crm', 'key:alice')).toEqual({
        name: 'crm',
        type: 'api_key',
        principal: 'key:alice',
        version: 1,
        createdAt: any,
        updatedAt: any,
      });
    });

    test('a credential stored only for one principal is NOT_FOUND for everyone else', async () => {
      await vault.put('personal', 'bearer', { token: canary() }, 'sub:carol');
      expect((await vault.resolve('personal', 'sub:carol')).principal).toBe('sub:carol');
      expect(codeOf(await rejection(vault.resolve('personal', 'sub:dave')))).toBe('NOT_FOUND');
      expect(await vault.lookup('personal')).toBeUndefined();
    });

    test('list shows metadata only, sorted by name then principal', async () => {
      const list = await vault.list();
      expect(list.map((c) => [c.name, c.principal, c.version])).toEqual([
        ['crm', null, 1],
        ['crm', 'key:alice', 1],
        ['gh', null, 2],
        ['jira-bot', null, 1],
        ['personal', 'sub:carol', 1],
      ]);
      expect(Object.keys(list[0]!).sort()).toEqual(['createdAt', 'name', 'principal', 'type', 'updatedAt', 'version']);
    });

    test('delete removes exactly the named (name, principal) and a second delete is NOT_FOUND', async () => {
      await vault.delete('crm', 'key:alice');
      expect((await vault.resolve('crm', 'key:alice')).principal).toBeNull();
      expect(codeOf(await rejection(vault.delete('crm', 'key:alice')))).toBe('NOT_FOUND');
    });

    test('wrong or missing fields are INVALID_INPUT naming them, and nothing is stored', async () => {
      const e = await rejection(vault.put('bad', 'oauth2_client_credentials', { client_id: 'x', secret: 'y' }));
      expect([codeOf(e), (e as { details?: unknown }).details]).toEqual([
        'INVALID_INPUT',
        { issues: ['missing field client_secret', 'unknown field secret'] },
      ]);
      expect(codeOf(await rejection(vault.put('bad name', 'bearer', { token: 'abcdefgh' })))).toBe('INVALID_INPUT');
      expect(await vault.lookup('bad')).toBeUndefined();
    });

    test('every opened secret value is registered for redaction', async () => {
      const password = canary();
      await vault.put('redacted', 'basic', { username: 'someone', password });
      await vault.resolve('redacted');
      expect(redactText(`x ${password} y`)).toBe('x [REDACTED] y');
    });

    test('concurrent puts on one name from two instances get distinct versions', async () => {
      const other = await Vault.open(await store.open(), master);
      const puts = await Promise.all([vault, other, vault, other].map((v) => v.put('busy', 'bearer', { token: canary() })));
      expect(puts.map((p) => p.version).sort()).toEqual([1, 2, 3, 4]);
    });

    test('a wrong master key is refused at open with VAULT_ERROR', async () => {
      expect(codeOf(await rejection(Vault.open(store.db, randomMasterKey())))).toBe('VAULT_ERROR');
    });

    test('rotate-key re-wraps every data key, retires the old KEK, and every credential still opens', async () => {
      const before = await Promise.all((await vault.list()).map((c) => vault.resolve(c.name, c.principal ?? undefined)));
      const out = await vault.rotateKey();
      expect(out).toEqual({ kekVersion: 2, rewrapped: expect.any(Number) });
      expect(await store.db.query('SELECT version FROM vault_keks')).toEqual([{ version: 2 }]);
      const fresh = await Vault.open(store.db, master);
      const after = await Promise.all((await fresh.list()).map((c) => fresh.resolve(c.name, c.principal ?? undefined)));
      expect(after).toEqual(before);
    });

    test('rotate-master re-wraps the KEKs: the new key opens the vault, the old one is refused', async () => {
      const next = randomMasterKey();
      expect(await vault.rotateMaster(next)).toEqual({ keks: 1 });
      expect(codeOf(await rejection(Vault.open(store.db, master)))).toBe('VAULT_ERROR');
      const reopened = await Vault.open(store.db, next);
      expect((await reopened.resolve('jira-bot')).secret.username).toBe('bot');
      expect((await vault.resolve('jira-bot')).secret.username).toBe('bot');
    });
  });
}
