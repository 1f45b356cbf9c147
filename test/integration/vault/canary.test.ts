// Canary secrets go through every vault operation; afterwards none of them, in any encoding, is in
// the database (rows or raw file bytes), the logs, or the list output.
import { afterAll, describe, expect, test } from 'bun:test';
import { createLogger } from '../../../src/log.ts';
import { Vault } from '../../../src/vault/vault.ts';
import { STORE_KINDS, type TestStore, testStore } from '../db/stores.ts';
import { canary, encodings, randomMasterKey } from './secrets.ts';

for (const kind of STORE_KINDS) {
  describe(`canaries on ${kind}`, () => {
    const stores: TestStore[] = [];
    afterAll(() => Promise.all(stores.map((s) => s.close())));

    test('no canary secret appears in any table, file, log line or listing', async () => {
      const store = await testStore(kind);
      stores.push(store);
      const lines: string[] = [];
      const log = createLogger({ level: 'debug', write: (l) => lines.push(l) });
      const vault = await Vault.open(store.db, randomMasterKey(), { log });
      const canaries: string[] = [];
      const c = (label: string) => {
        const v = canary(label);
        canaries.push(v);
        return v;
      };
      await vault.put('jira', 'basic', { username: c('user'), password: c('pass') });
      await vault.put('gh', 'bearer', { token: c('token') });
      await vault.put('gh', 'bearer', { token: c('token2') });
      await vault.put('crm', 'api_key', { key: c('key') }, 'key:alice');
      await vault.put('sf', 'oauth2_client_credentials', { client_id: c('cid'), client_secret: c('csecret') });
      await vault.put('g', 'oauth2_refresh_token', { client_id: c('gid'), client_secret: c('gsecret'), refresh_token: c('refresh') });
      await vault.put('gone', 'bearer', { token: c('deleted') });
      const listing = JSON.stringify(await vault.list());
      for (const x of await vault.list()) await vault.resolve(x.name, x.principal ?? undefined);
      await vault.rotateKey();
      await vault.rotateMaster(randomMasterKey());
      await vault.delete('gone');
      expect((await vault.resolve('gh')).secret.token).toBe(canaries[3]!);

      const surfaces = { dump: await store.dump(), logs: lines.join('\n'), listing };
      const leaks = Object.entries(surfaces).flatMap(([where, text]) =>
        canaries.flatMap((s) =>
          encodings(s)
            .filter((e) => text.includes(e))
            .map((e) => `${where}: ${e}`),
        ),
      );
      expect(leaks).toEqual([]);
      expect(surfaces.dump).toContain('"name":"jira"'); // the dump really covers the vault's rows
    });
  });
}
