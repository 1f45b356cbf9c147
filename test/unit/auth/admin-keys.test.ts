import { afterAll, describe, expect, test } from 'bun:test';
import { randomBytes } from 'node:crypto';
import { Elysia } from 'elysia';
import { createKeyService } from '../../../src/auth/keys.ts';
import { migrate } from '../../../src/db/migrate.ts';
import { openSqlite } from '../../../src/db/sqlite.ts';
import { adminKeysRoutes } from '../../../src/http/admin-keys.ts';
import { silentLogger } from '../../../src/log.ts';

const db = openSqlite(':memory:');
await migrate(db, silentLogger);
const keys = createKeyService(db);
const TOKEN = randomBytes(24).toString('base64url');
const app = new Elysia().use(adminKeysRoutes({ keys, adminToken: TOKEN })).get('/other', () => 'open');
afterAll(() => db.close());

const call = (method: string, path: string, body?: unknown, token = TOKEN) =>
  app.handle(
    new Request(`http://localhost${path}`, {
      method,
      headers: { ...(token && { authorization: `Bearer ${token}` }), ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    }),
  );

describe('/admin/keys', () => {
  test('POST creates a key and returns it once, GET lists it without the key, DELETE revokes it', async () => {
    const created = await call('POST', '/admin/keys', { name: 'agent-1', tools: 'jira_*, crm_get_*', expires: '90d' });
    const body = (await created.json()) as { key: string; name: string; tools: string[]; expiresAt: number };
    expect([created.status, created.headers.get('cache-control'), body.name, body.tools, body.key.startsWith('nxs_')]).toEqual([
      201,
      'no-store',
      'agent-1',
      ['jira_*', 'crm_get_*'],
      true,
    ]);
    expect((await keys.verify(body.key))?.name).toBe('agent-1');

    const listed = await call('GET', '/admin/keys');
    const text = await listed.text();
    expect([listed.status, text.includes(body.key), JSON.parse(text).keys.map((k: { name: string }) => k.name)]).toEqual([
      200,
      false,
      ['agent-1'],
    ]);

    const revoked = await call('DELETE', '/admin/keys/agent-1');
    expect([revoked.status, await keys.verify(body.key)]).toEqual([204, undefined]);
  });

  test('errors are problem+json with a code: bad body, duplicate name, unknown key', async () => {
    await call('POST', '/admin/keys', { name: 'dup' });
    const responses = [
      await call('POST', '/admin/keys', '{not json'),
      await call('POST', '/admin/keys', { name: 'x', tools: ['a'], extra: true }),
      await call('POST', '/admin/keys', { name: 'dup' }),
      await call('DELETE', '/admin/keys/nobody'),
    ];
    const out = [];
    for (const r of responses) out.push([r.status, r.headers.get('content-type'), ((await r.json()) as { code: string }).code]);
    expect(out).toEqual([
      [400, 'application/problem+json', 'INVALID_INPUT'],
      [400, 'application/problem+json', 'INVALID_INPUT'],
      [409, 'application/problem+json', 'CONFLICT'],
      [404, 'application/problem+json', 'NOT_FOUND'],
    ]);
  });

  test('without the admin token every route is 401 problem+json; other routes are not guarded', async () => {
    const noToken = await call('GET', '/admin/keys', undefined, '');
    const wrong = await call('POST', '/admin/keys', { name: 'evil' }, `${TOKEN}x`);
    expect([noToken.status, wrong.status, await noToken.json()]).toEqual([
      401,
      401,
      {
        type: 'https://nexus.dev/problems/unauthorized',
        title: 'Unauthorized',
        status: 401,
        detail: 'a valid admin bearer token is required',
        code: 'UNAUTHORIZED',
      },
    ]);
    expect((await app.handle(new Request('http://localhost/other'))).status).toBe(200);
  });

  test('with no admin token configured the admin API is disabled', async () => {
    const off = new Elysia().use(adminKeysRoutes({ keys }));
    const res = await off.handle(new Request('http://localhost/admin/keys', { headers: { authorization: 'Bearer anything' } }));
    expect([res.status, ((await res.json()) as { code: string }).code]).toEqual([403, 'FORBIDDEN']);
  });
});
