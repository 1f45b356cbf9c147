// Key rotation is online: resolves running during rotation never fail; scheduled rotation runs once.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { silentLogger } from '../../../src/log.ts';
import { startKeyRotation } from '../../../src/vault/rotation.ts';
import { Vault } from '../../../src/vault/vault.ts';
import { STORE_KINDS, type TestStore, testStore } from '../db/stores.ts';
import { canary, randomMasterKey } from './secrets.ts';

const DAY = 86_400_000;

async function until(cond: () => Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

for (const kind of STORE_KINDS) {
  describe(`key rotation on ${kind}`, () => {
    let store: TestStore;
    const master = randomMasterKey();
    let clock = Date.now();
    const now = () => clock;
    beforeAll(async () => {
      store = await testStore(kind);
      const v = await Vault.open(store.db, master, { now });
      for (let i = 0; i < 20; i++) await v.put(`cred-${i}`, 'bearer', { token: canary() });
    });
    afterAll(() => store.close());

    test('resolves in a loop on another instance never fail while keys rotate', async () => {
      const rotator = await Vault.open(store.db, master, { now });
      const reader = await Vault.open(await store.open(), master, { now });
      let done = false;
      let ok = 0;
      const failures: unknown[] = [];
      const loop = (async () => {
        for (let i = 0; !done; i++) {
          await reader.resolve(`cred-${i % 20}`).then(
            () => ok++,
            (e) => failures.push(e),
          );
          if (i % 10 === 0) await new Promise((r) => setImmediate(r)); // SQLite answers in microtasks: let timers run
        }
      })();
      for (let r = 0; r < 5; r++) {
        await until(async () => ok > (r + 1) * 10, 'resolves between rotations');
        await rotator.rotateKey();
      }
      done = true;
      await loop;
      expect(failures).toEqual([]);
      expect(await store.db.query('SELECT count(*) AS n FROM vault_keks')).toEqual([{ n: 1 }]);
    });

    test('two instances due for scheduled rotation at once rotate exactly once', async () => {
      clock += 31 * DAY;
      const [a, b] = [await Vault.open(store.db, master, { now }), await Vault.open(await store.open(), master, { now })];
      const before = (await store.db.query<{ v: number }>('SELECT max(version) AS v FROM vault_keks'))[0]!.v;
      const results = await Promise.all([a, b, a, b].map((v) => v.rotateKey({ ifOlderThanMs: 30 * DAY })));
      expect(results.filter(Boolean)).toEqual([{ kekVersion: before + 1, rewrapped: 20 }]);
    });

    test('startKeyRotation rotates when the period has passed and not before', async () => {
      const v = await Vault.open(store.db, master, { now });
      const kekVersion = async () => (await store.db.query<{ v: number }>('SELECT max(version) AS v FROM vault_keks'))[0]!.v;
      const before = await kekVersion();
      const calls: Array<number | undefined> = [];
      const counting = {
        rotateKey: async (o?: { ifOlderThanMs?: number }) => {
          const r = await v.rotateKey(o);
          calls.push(r?.kekVersion);
          return r;
        },
      };
      let stop = startKeyRotation(counting, 30 * DAY, silentLogger);
      await until(async () => calls.length === 1, 'the first check');
      stop();
      expect([calls, await kekVersion()]).toEqual([[undefined], before]);
      clock += 31 * DAY;
      stop = startKeyRotation(counting, 30 * DAY, silentLogger);
      await until(async () => calls.length === 2, 'the second check');
      stop();
      expect([calls, await kekVersion()]).toEqual([[undefined, before + 1], before + 1]);
    });
  });
}
