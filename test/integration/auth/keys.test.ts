import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createKeyService, hashKey, type KeyService } from '../../../src/auth/keys.ts';
import { waitFor } from '../../helpers/gateway.ts';
import { STORE_KINDS, type TestStore, testStore } from '../db/stores.ts';

describe.each(STORE_KINDS)('client keys on %s', (kind) => {
  let store: TestStore;
  let keys: KeyService;
  beforeAll(async () => {
    store = await testStore(kind);
    keys = createKeyService(store.db);
  });
  afterAll(() => store.close());

  test('a created key verifies as its name and tools and has the documented format', async () => {
    const { key, info } = await keys.create('alice', { tools: ['jira_*', 'crm_get_*'] });
    expect(key).toMatch(/^nxs_[A-Za-z0-9_-]{43}$/);
    expect(await keys.verify(key)).toEqual({ name: 'alice', tools: ['jira_*', 'crm_get_*'], createdAt: info.createdAt });
    expect(await keys.hasAnyKey()).toBe(true);
  });

  test('a key that was never issued, or one with a changed character, does not verify', async () => {
    const { key } = await keys.create('bob');
    const changed = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
    expect([await keys.verify(changed), await keys.verify(`nxs_${'x'.repeat(43)}`), await keys.verify('not-a-key')]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });

  test('without --tools a key may use every tool', async () => {
    const { key } = await keys.create('carol');
    expect((await keys.verify(key))?.tools).toEqual(['*']);
  });

  test('list shows names, tools and dates but never a key or its hash', async () => {
    const { key } = await keys.create('dave', { tools: ['a_*'], expiresAt: Date.now() + 86_400_000 });
    const listed = await keys.list();
    const dave = listed.find((k) => k.name === 'dave')!;
    expect(Object.keys(dave).sort()).toEqual(['createdAt', 'expiresAt', 'name', 'tools']);
    expect(JSON.stringify(listed)).not.toContain(key);
    expect(JSON.stringify(listed)).not.toContain(hashKey(key));
  });

  test('the database holds no key in clear, only its SHA-256', async () => {
    const { key } = await keys.create('erin');
    const dump = await store.dump();
    expect(dump).not.toContain(key);
    expect(dump).not.toContain(key.slice(4));
    expect(dump).toContain(hashKey(key));
  });

  test('a revoked key is refused and its name cannot be revoked twice', async () => {
    const { key } = await keys.create('frank');
    await keys.revoke('frank');
    expect(await keys.verify(key)).toBeUndefined();
    expect((await keys.list()).find((k) => k.name === 'frank')?.revokedAt).toBeNumber();
    await expect(keys.revoke('frank')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  test('an active name cannot be created twice, but a revoked name can be reused with a new key', async () => {
    const first = await keys.create('grace');
    await expect(keys.create('grace')).rejects.toMatchObject({ code: 'CONFLICT' });
    await keys.revoke('grace');
    const second = await keys.create('grace', { tools: ['x_*'] });
    expect([await keys.verify(first.key), (await keys.verify(second.key))?.tools]).toEqual([undefined, ['x_*']]);
  });

  test('an expired key is refused', async () => {
    let now = Date.now();
    const clocked = createKeyService(store.db, { now: () => now });
    const { key } = await clocked.create('heidi', { expiresAt: now + 60_000 });
    expect((await clocked.verify(key))?.name).toBe('heidi');
    now += 61_000;
    expect(await clocked.verify(key)).toBeUndefined();
  });

  test('bad names, bad patterns and past expiry dates are refused as invalid input', async () => {
    const attempts = [
      keys.create('has space'),
      keys.create('ok', { tools: ['jira_[a]'] }),
      keys.create('ok2', { expiresAt: Date.now() - 1 }),
    ];
    for (const a of attempts) await expect(a).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  test('a burst of verifications, right or wrong, reads the keys from the database once', async () => {
    let reads = 0;
    const db = store.db;
    const counted = createKeyService({
      kind: db.kind,
      query: (sql, p) => {
        reads++;
        return db.query(sql, p);
      },
      run: (sql, p) => db.run(sql, p),
      transaction: (fn) => db.transaction(fn),
      withLock: (name, fn) => db.withLock(name, fn),
      close: () => db.close(),
    });
    const { key } = await keys.create('burst');
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => counted.verify(i % 2 ? key : `nxs_wrong${i}`)));
    expect([reads, results.filter(Boolean).length]).toEqual([1, 25]);
  });

  test('a revoke through one instance is refused by another instance within about a second', async () => {
    const other = createKeyService(await store.open());
    const { key } = await keys.create('ivan');
    expect((await other.verify(key))?.name).toBe('ivan'); // the other instance has it cached now
    await keys.revoke('ivan');
    const revokedAt = performance.now();
    await waitFor(async () => (await other.verify(key)) === undefined, 3000, 'the other instance to refuse the key');
    expect(performance.now() - revokedAt).toBeLessThan(1500);
  });
});

describe.each(STORE_KINDS)('hasAnyKey on %s', (kind) => {
  test('is false with no keys or only revoked ones, true with an active key', async () => {
    const store = await testStore(kind);
    try {
      const keys = createKeyService(store.db);
      const before = await keys.hasAnyKey();
      await keys.create('k1');
      const withKey = await keys.hasAnyKey();
      await keys.revoke('k1');
      const afterRevoke = await keys.hasAnyKey();
      expect([before, withKey, afterRevoke]).toEqual([false, true, false]);
    } finally {
      await store.close();
    }
  });
});
