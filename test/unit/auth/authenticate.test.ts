import { describe, expect, test } from 'bun:test';
import { type AuthenticatorOptions, assertBindPolicy, createAuthenticator } from '../../../src/auth/authenticate.ts';
import type { JwtVerifier } from '../../../src/auth/jwt.ts';
import type { KeyInfo } from '../../../src/auth/keys.ts';
import { parseRules } from '../../../src/auth/rules.ts';
import { NexusError } from '../../../src/errors.ts';

const META = 'https://nexus.test/.well-known/oauth-protected-resource';
const GOOD_KEY = `nxs_${'A'.repeat(43)}`;
const keyInfo: KeyInfo = { name: 'alice', tools: ['jira_*'], createdAt: 1 };

const fakeKeys = (any: boolean) => ({
  verify: async (k: string) => (k === GOOD_KEY ? keyInfo : undefined),
  hasAnyKey: async () => any,
});

// Accepts "good.<sub>.<scope>" tokens; anything else is an invalid token.
const fakeJwt: JwtVerifier = {
  config: { issuer: 'https://idp.test', audience: 'https://nexus.test/mcp' },
  verify: async (t) => {
    const [head, sub, scope] = t.split('.');
    if (head !== 'good') throw new NexusError('UNAUTHORIZED', 'invalid token');
    return { sub: sub!, scope: scope!.replace(/_/g, ' ') };
  },
  protectedResourceMetadata: () => ({ resource: '', authorization_servers: [], bearer_methods_supported: [] }),
};

const auth = (o: Partial<AuthenticatorOptions> = {}) =>
  createAuthenticator({ keys: fakeKeys(true), allowAnonymous: false, resourceMetadataUrl: () => META, ...o });
const KEYS_ONLY = 'Bearer realm="nexus", error_description="send Authorization: Bearer <client key> (create one with nexus keys create)"';
const bearer = (t: string) => new Headers({ authorization: `Bearer ${t}` });

async function failure(p: Promise<unknown>) {
  try {
    await p;
    return 'accepted';
  } catch (e) {
    const err = e as NexusError;
    return { code: err.code, status: err.httpStatus, wwwAuthenticate: err.details?.wwwAuthenticate, message: err.message };
  }
}

describe('authenticate', () => {
  test('a valid key is the caller key:<name> with the key tools', async () => {
    expect(await auth().authenticate(bearer(GOOD_KEY))).toEqual({ id: 'key:alice', kind: 'key', name: 'alice', tools: ['jira_*'] });
  });

  test('with client keys only, no credential is 401 saying to send a client key, and no metadata is named', async () => {
    expect(await failure(auth().authenticate(new Headers()))).toEqual({
      code: 'UNAUTHORIZED',
      status: 401,
      wwwAuthenticate: KEYS_ONLY,
      message: 'authentication required: send Authorization: Bearer <client key> (create one with `nexus keys create`)',
    });
  });

  test('with OAuth, no credential is 401 naming the resource metadata, without an error code', async () => {
    expect(await failure(auth({ jwt: fakeJwt }).authenticate(new Headers()))).toEqual({
      code: 'UNAUTHORIZED',
      status: 401,
      wwwAuthenticate: `Bearer resource_metadata="${META}"`,
      message: 'authentication required: send Authorization: Bearer <client key or OAuth access token>',
    });
  });

  test('a wrong, revoked or malformed credential is 401 invalid_token', async () => {
    const results = [];
    for (const h of [bearer('nxs_wrong'), bearer('opaque-token'), new Headers({ authorization: 'Basic dTpw' }), bearer('good.u.jira')]) {
      results.push((await failure(auth().authenticate(h))) as { wwwAuthenticate: string });
    }
    expect(results.map((r) => r.wwwAuthenticate)).toEqual(Array(4).fill(`${KEYS_ONLY}, error="invalid_token"`));
    const oauth = await failure(auth({ jwt: fakeJwt }).authenticate(bearer('nxs_wrong')));
    expect((oauth as { wwwAuthenticate: string }).wwwAuthenticate).toBe(`Bearer resource_metadata="${META}", error="invalid_token"`);
  });

  test('a valid token is the caller sub:<sub> with the tools its claims grant', async () => {
    const rules = parseRules('access.yaml', "rules:\n  - when: { scope: jira }\n    tools: ['jira_*']\n");
    const caller = await auth({ jwt: fakeJwt, rules }).authenticate(bearer('good.svc-1.read_jira'));
    expect(caller).toEqual({
      id: 'sub:svc-1',
      kind: 'token',
      name: 'svc-1',
      tools: ['jira_*'],
      claims: { sub: 'svc-1', scope: 'read jira' },
    });
  });

  test('a valid token that grants no tool is 403 insufficient_scope', async () => {
    const rules = parseRules('access.yaml', "rules:\n  - when: { scope: jira }\n    tools: ['jira_*']\n");
    expect(await failure(auth({ jwt: fakeJwt, rules }).authenticate(bearer('good.u.crm')))).toEqual({
      code: 'FORBIDDEN',
      status: 403,
      wwwAuthenticate: `Bearer resource_metadata="${META}", error="insufficient_scope"`,
      message: 'the token grants no tool',
    });
  });

  test('an invalid token is 401 invalid_token', async () => {
    expect(((await failure(auth({ jwt: fakeJwt }).authenticate(bearer('bad.u.x')))) as { status: number }).status).toBe(401);
  });

  test('anonymous only when allowed and neither keys nor OAuth are configured', async () => {
    const anon = await auth({ keys: fakeKeys(false), allowAnonymous: true }).authenticate(new Headers());
    const codes = [
      await failure(auth({ keys: fakeKeys(true), allowAnonymous: true }).authenticate(new Headers())),
      await failure(auth({ keys: fakeKeys(false), allowAnonymous: true, jwt: fakeJwt }).authenticate(new Headers())),
      await failure(auth({ keys: fakeKeys(false), allowAnonymous: false }).authenticate(new Headers())),
    ].map((f) => (f as { code: string }).code);
    expect([anon.id, ...codes]).toEqual(['anonymous', 'UNAUTHORIZED', 'UNAUTHORIZED', 'UNAUTHORIZED']);
  });
});

describe('bind policy', () => {
  test('loopback without authentication serves anonymously and says so', () => {
    const p = assertBindPolicy({ host: '127.0.0.1', authConfigured: false, allowInsecure: false });
    expect([p.allowAnonymous, p.notice?.includes('anonymously')]).toEqual([true, true]);
  });

  test('a non-loopback address without authentication is refused unless explicitly overridden', () => {
    expect(() => assertBindPolicy({ host: '0.0.0.0', authConfigured: false, allowInsecure: false })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG' }),
    );
    const p = assertBindPolicy({ host: '0.0.0.0', authConfigured: false, allowInsecure: true });
    expect(p.allowAnonymous).toBe(true);
  });

  test('with authentication configured a public address is fine and anonymous calls are not', () => {
    expect(assertBindPolicy({ host: '10.0.0.5', authConfigured: true, allowInsecure: false })).toEqual({ allowAnonymous: false });
  });
});
