// Migrations apply once, in order, even when several instances start at the same moment.
import { afterEach, describe, expect, test } from 'bun:test';
import { migrate } from '../../../src/db/migrate.ts';
import { MIGRATIONS } from '../../../src/db/migrations.ts';
import { silentLogger } from '../../../src/log.ts';
import { STORE_KINDS, type TestStore, testStore } from './stores.ts';

const ALL = MIGRATIONS.map((m) => m.name);

for (const kind of STORE_KINDS) {
  describe(`${kind} migrate`, () => {
    let store: TestStore | undefined;
    afterEach(async () => {
      await store?.close();
      store = undefined;
    });

    test('three instances migrating a fresh store at once apply every migration exactly once', async () => {
      store = await testStore(kind, { migrated: false });
      const dbs = [store.db, await store.open(), await store.open()];
      const results = await Promise.all(dbs.map((db) => migrate(db, silentLogger)));
      expect(results.flatMap((r) => r.applied).sort()).toEqual(ALL);
      expect(results.filter((r) => r.applied.length > 0).length).toBe(1);
      const rows = await store.db.query<{ name: string }>('SELECT name FROM nexus_migrations ORDER BY name');
      expect(rows.map((r) => r.name)).toEqual(ALL);
    });

    test('a second run applies nothing', async () => {
      store = await testStore(kind);
      expect(await migrate(store.db, silentLogger)).toEqual({ applied: [] });
    });
  });
}
