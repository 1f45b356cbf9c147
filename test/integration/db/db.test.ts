// The Db port behaves the same on SQLite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { STORE_KINDS, type TestStore, testStore } from './stores.ts';

for (const kind of STORE_KINDS) {
  describe(`${kind} Db`, () => {
    let store: TestStore;
    beforeAll(async () => {
      store = await testStore(kind, { migrated: false });
      await store.db.run('CREATE TABLE items (id INTEGER PRIMARY KEY, label TEXT, at BIGINT, note TEXT)');
    });
    afterAll(() => store.close());

    test('$n placeholders bind in order and BIGINT comes back as a number', async () => {
      expect(
        await store.db.run('INSERT INTO items (id, label, at, note) VALUES ($1, $2, $3, $4)', [1, 'one', 1_700_000_000_123, null]),
      ).toBe(1);
      expect(await store.db.query('SELECT id, label, at, note FROM items WHERE label = $1 AND id = $2', ['one', 1])).toEqual([
        { id: 1, label: 'one', at: 1_700_000_000_123, note: null },
      ]);
    });

    test('a transaction that throws leaves nothing behind', async () => {
      const failing = store.db.transaction(async (tx) => {
        await tx.run('INSERT INTO items (id, label) VALUES ($1, $2)', [2, 'two']);
        throw new Error('boom');
      });
      await expect(failing).rejects.toThrow('boom');
      expect(await store.db.query('SELECT id FROM items WHERE id = $1', [2])).toEqual([]);
    });

    test('a nested transaction rolls back alone', async () => {
      await store.db.transaction(async (tx) => {
        await tx.run('INSERT INTO items (id, label) VALUES ($1, $2)', [3, 'three']);
        await tx
          .transaction(async (inner) => {
            await inner.run('INSERT INTO items (id, label) VALUES ($1, $2)', [4, 'four']);
            throw new Error('inner');
          })
          .catch(() => {});
      });
      expect(await store.db.query('SELECT id FROM items WHERE id IN ($1, $2) ORDER BY id', [3, 4])).toEqual([{ id: 3 }]);
    });

    test('withLock bodies on two connections never overlap', async () => {
      const other = await store.open();
      const events: string[] = [];
      const body = (who: string) => async () => {
        events.push(`${who} in`);
        for (let i = 0; i < 5; i++) await Promise.resolve();
        await new Promise((r) => setImmediate(r));
        events.push(`${who} out`);
      };
      await Promise.all([store.db.withLock('t', body('a')), other.withLock('t', body('b'))]);
      expect([
        ['a in', 'a out', 'b in', 'b out'],
        ['b in', 'b out', 'a in', 'a out'],
      ]).toContainEqual(events);
    });
  });
}
