// The admin credentials API through app.handle: guarded, write-only for secrets, problem+json errors.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { randomBytes } from 'node:crypto';
import { adminCredentialsRoutes } from '../../../src/http/admin-credentials.ts';
import { secretValue, tempVault } from './fixture.ts';

let fx: Awaited<ReturnType<typeof tempVault>>;
const adminToken = randomBytes(24).toString('base64url');
let app: ReturnType<typeof adminCredentialsRoutes>;
const seen: string[] = [];

beforeAll(async () => {
  fx = await tempVault();
  app = adminCredentialsRoutes({ vault: fx.vault, adminToken });
});
afterAll(() => fx.close());

async function call(method: string, path: string, body?: unknown, token: string | null = adminToken) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const res = await app.handle(
    new Request(`http://nexus${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }),
  );
  const text = await res.text();
  seen.push(text);
  return { status: res.status, type: res.headers.get('content-type'), body: text ? JSON.parse(text) : null };
}

const problem = (status: number, code: string) => ({
  status,
  type: 'application/problem+json',
  body: { type: expect.stringContaining('https://'), title: expect.any(String), status, detail: expect.any(String), code },
});
const meta = (name: string, type: string, principal: string | null, version: number) => ({
  name,
  type,
  principal,
  version,
  createdAt: expect.any(String),
  updatedAt: expect.any(String),
});

describe('admin credentials API', () => {
  const secret = { username: 'bot', password: secretValue('pass') };

  test('without NEXUS_ADMIN_TOKEN the API answers 403 saying it is disabled', async () => {
    const disabled = adminCredentialsRoutes({ vault: fx.vault });
    const res = await disabled.handle(new Request('http://nexus/admin/credentials'));
    expect([res.status, await res.json()]).toEqual([
      403,
      {
        type: expect.any(String),
        title: 'Forbidden',
        status: 403,
        detail: 'admin API disabled (set NEXUS_ADMIN_TOKEN)',
        code: 'FORBIDDEN',
      },
    ]);
  });

  test('a missing or wrong token is 401 problem+json', async () => {
    expect(await call('GET', '/admin/credentials', undefined, null)).toEqual(problem(401, 'UNAUTHORIZED'));
    expect(await call('GET', '/admin/credentials', undefined, `${adminToken}x`)).toEqual(problem(401, 'UNAUTHORIZED'));
  });

  test('PUT stores a version and answers metadata only; a second PUT adds a version', async () => {
    expect(await call('PUT', '/admin/credentials/jira-bot', { secret })).toEqual({
      status: 200,
      type: expect.stringContaining('json'),
      body: meta('jira-bot', 'basic', null, 1),
    });
    expect((await call('PUT', '/admin/credentials/jira-bot', { type: 'basic', secret })).body).toEqual(meta('jira-bot', 'basic', null, 2));
    expect((await call('PUT', '/admin/credentials/jira-bot?for=key:alice', { secret })).body).toEqual(
      meta('jira-bot', 'basic', 'key:alice', 1),
    );
  });

  test('GET lists and shows metadata; a per-principal GET never falls back to the shared one', async () => {
    expect((await call('GET', '/admin/credentials')).body).toEqual({
      credentials: [meta('jira-bot', 'basic', null, 2), meta('jira-bot', 'basic', 'key:alice', 1)],
    });
    expect((await call('GET', '/admin/credentials/jira-bot?for=key:alice')).body).toEqual(meta('jira-bot', 'basic', 'key:alice', 1));
    expect(await call('GET', '/admin/credentials/jira-bot?for=key:bob')).toEqual(problem(404, 'NOT_FOUND'));
  });

  test('a bad body is 400 problem+json listing the wrong fields', async () => {
    expect((await call('PUT', '/admin/credentials/x', { type: 'basic', secret: { username: 'u' } })).body).toEqual({
      type: 'https://nexus.dev/problems/invalid-input',
      title: 'Bad Request',
      status: 400,
      detail: 'invalid basic secret: missing field password',
      code: 'INVALID_INPUT',
      issues: ['missing field password'],
    });
    expect(await call('PUT', '/admin/credentials/x', { secret: { token: 'abcdefgh' }, extra: 1 })).toEqual(problem(400, 'INVALID_INPUT'));
    const raw = await app.handle(
      new Request('http://nexus/admin/credentials/x', { method: 'PUT', headers: { authorization: `Bearer ${adminToken}` }, body: '{' }),
    );
    expect(raw.status).toBe(400);
  });

  test('rotate-key answers the new KEK version', async () => {
    expect((await call('POST', '/admin/credentials/rotate-key')).body).toEqual({ kekVersion: 2, rewrapped: 3 });
  });

  test('DELETE removes one credential (204), then 404', async () => {
    expect((await call('DELETE', '/admin/credentials/jira-bot?for=key:alice')).status).toBe(204);
    expect(await call('DELETE', '/admin/credentials/jira-bot?for=key:alice')).toEqual(problem(404, 'NOT_FOUND'));
  });

  test('no response ever carried a secret value', () => {
    expect(seen.filter((t) => t.includes(secret.password) || t.includes(Buffer.from(secret.password).toString('base64')))).toEqual([]);
  });
});
