// Credentials resolve into what a call carries (headers, query, the values to mask), per their auth
// block and caller, and fail as CREDENTIAL_ERROR.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Caller } from '../../../src/caller.ts';
import { createAuthInjector } from '../../../src/vault/inject.ts';
import type { OAuthAuth } from '../../../src/vault/tokens.ts';
import { secretValue, tempVault } from './fixture.ts';

const caller = (id: string): Caller => ({ id, kind: 'key', name: id, tools: ['*'] });

let fx: Awaited<ReturnType<typeof tempVault>>;
const forced: Array<{ credential: string; principal?: string; force?: boolean }> = [];
let injector: ReturnType<typeof createAuthInjector>;
const s = { user: 'bot', pass: secretValue('pass'), token: secretValue('token'), key: secretValue('key'), alice: secretValue('alice') };

beforeAll(async () => {
  fx = await tempVault();
  await fx.vault.put('jira', 'basic', { username: s.user, password: s.pass });
  await fx.vault.put('gh', 'bearer', { token: s.token });
  await fx.vault.put('crm', 'api_key', { key: s.key });
  await fx.vault.put('crm', 'api_key', { key: s.alice }, 'key:alice');
  await fx.vault.put('crm', 'api_key', { key: s.alice }, 'key:alice');
  const tokens = {
    accessToken: async (auth: OAuthAuth, principal?: string, o?: { force?: boolean }) => {
      forced.push({ credential: auth.credential, principal, force: o?.force });
      return 'access-token';
    },
  };
  injector = createAuthInjector({ vault: fx.vault, tokens });
});
afterAll(() => fx.close());

describe('auth injection', () => {
  test('basic is an Authorization: Basic header of username:password, its parts masked', async () => {
    const encoded = Buffer.from(`${s.user}:${s.pass}`).toString('base64');
    expect(await injector.inject({ type: 'basic', credential: 'jira' }, caller('key:bob'), 1)).toEqual({
      headers: { authorization: `Basic ${encoded}` },
      query: {},
      env: {},
      secrets: [`Basic ${encoded}`, encoded, s.pass],
    });
  });

  test('bearer is an Authorization: Bearer header', async () => {
    expect(await injector.inject({ type: 'bearer', credential: 'gh' }, caller('key:bob'), 1)).toEqual({
      headers: { authorization: `Bearer ${s.token}` },
      query: {},
      env: {},
      secrets: [`Bearer ${s.token}`, s.token],
    });
  });

  test("api_key goes into the named header or query parameter, the caller's own key first", async () => {
    const h = await injector.inject({ type: 'api_key', credential: 'crm', header: 'X-API-Key' }, caller('key:bob'), 1);
    const q = await injector.inject({ type: 'api_key', credential: 'crm', query: 'api_key' }, caller('key:alice'), 1);
    expect([h, q]).toEqual([
      { headers: { 'x-api-key': s.key }, query: {}, env: {}, secrets: [s.key] },
      { headers: {}, query: { api_key: s.alice }, env: {}, secrets: [s.alice] },
    ]);
  });

  test('oauth2 uses a Bearer access token and attempt 2 forces a refresh', async () => {
    const auth = { type: 'oauth2_client_credentials', credential: 'sf', token_url: 'http://idp/token' } as const;
    await injector.inject(auth, caller('key:bob'), 1);
    const second = await injector.inject(auth, caller('key:bob'), 2);
    expect(second.headers).toEqual({ authorization: 'Bearer access-token' });
    expect(forced).toEqual([
      { credential: 'sf', principal: 'key:bob', force: false },
      { credential: 'sf', principal: 'key:bob', force: true },
    ]);
  });

  test('a missing credential or one of another type is CREDENTIAL_ERROR naming it', async () => {
    const codes = await Promise.all([
      injector
        .inject({ type: 'bearer', credential: 'absent' }, caller('key:bob'), 1)
        .catch((e: Error & { code: string }) => [e.code, e.message]),
      injector
        .inject({ type: 'bearer', credential: 'jira' }, caller('key:bob'), 1)
        .catch((e: Error & { code: string }) => [e.code, e.message]),
    ]);
    expect(codes).toEqual([
      ['CREDENTIAL_ERROR', 'credential "absent" is not in the vault'],
      ['CREDENTIAL_ERROR', 'credential "jira" is a basic credential, the tool expects bearer'],
    ]);
  });

  test('the credential identity is name@version, plus the principal for a per-principal one', async () => {
    const id = (c: string) => injector.credentialIdentity({ type: 'api_key', credential: 'crm', header: 'k' }, caller(c));
    expect([await id('key:alice'), await id('key:bob')]).toEqual(['crm@2#key:alice', 'crm@1']);
  });
});
