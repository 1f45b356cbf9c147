// Credentials go into backend requests per their auth block, per caller, and fail as CREDENTIAL_ERROR.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Caller } from '../../../src/caller.ts';
import type { OutgoingRequest } from '../../../src/invoke/types.ts';
import { createAuthInjector } from '../../../src/vault/inject.ts';
import type { OAuthAuth } from '../../../src/vault/tokens.ts';
import { secretValue, tempVault } from './fixture.ts';

const caller = (id: string): Caller => ({ id, kind: 'key', name: id, tools: ['*'] });
const request = (): OutgoingRequest => ({ method: 'GET', url: new URL('http://backend/items?x=1'), headers: new Headers() });

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
  test('basic sets an Authorization: Basic header of username:password', async () => {
    const req = request();
    await injector.applyAuth({ type: 'basic', credential: 'jira' }, caller('key:bob'), req, 1);
    expect(req.headers.get('authorization')).toBe(`Basic ${Buffer.from(`${s.user}:${s.pass}`).toString('base64')}`);
  });

  test('bearer sets an Authorization: Bearer header', async () => {
    const req = request();
    await injector.applyAuth({ type: 'bearer', credential: 'gh' }, caller('key:bob'), req, 1);
    expect(Object.fromEntries(req.headers)).toEqual({ authorization: `Bearer ${s.token}` });
  });

  test("api_key goes into the named header or query parameter, the caller's own key first", async () => {
    const [h, q] = [request(), request()];
    await injector.applyAuth({ type: 'api_key', credential: 'crm', header: 'X-API-Key' }, caller('key:bob'), h, 1);
    await injector.applyAuth({ type: 'api_key', credential: 'crm', query: 'api_key' }, caller('key:alice'), q, 1);
    expect([h.headers.get('x-api-key'), q.url.searchParams.get('api_key'), q.url.searchParams.get('x')]).toEqual([s.key, s.alice, '1']);
  });

  test('oauth2 uses a Bearer access token and attempt 2 forces a refresh', async () => {
    const auth = { type: 'oauth2_client_credentials', credential: 'sf', token_url: 'http://idp/token' } as const;
    const req = request();
    await injector.applyAuth(auth, caller('key:bob'), req, 1);
    await injector.applyAuth(auth, caller('key:bob'), req, 2);
    expect(req.headers.get('authorization')).toBe('Bearer access-token');
    expect(forced).toEqual([
      { credential: 'sf', principal: 'key:bob', force: false },
      { credential: 'sf', principal: 'key:bob', force: true },
    ]);
  });

  test('a missing credential or one of another type is CREDENTIAL_ERROR naming it', async () => {
    const codes = await Promise.all([
      injector.applyAuth({ type: 'bearer', credential: 'absent' }, caller('key:bob'), request(), 1).catch((e) => [e.code, e.message]),
      injector.applyAuth({ type: 'bearer', credential: 'jira' }, caller('key:bob'), request(), 1).catch((e) => [e.code, e.message]),
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
