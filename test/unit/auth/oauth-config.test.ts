import { describe, expect, test } from 'bun:test';
import { oauthConfigOf } from '../../../src/auth/jwt.ts';
import { parseExpiry, splitPatterns } from '../../../src/auth/keys.ts';
import { discoverJwksUrl, metadataUrls } from '../../../src/auth/oauth-discovery.ts';
import { resolveConfig } from '../../../src/config/config.ts';

const oauthConfigFromEnv = (env: Record<string, string>) => oauthConfigOf(resolveConfig({}, env));

const serving =
  (docs: Record<string, unknown>, seen: string[] = []) =>
  async (url: string) => {
    seen.push(url);
    return url in docs ? Response.json(docs[url]) : new Response('no', { status: 404 });
  };

describe('OAuth configuration', () => {
  test('issuer and audience come from the environment; the JWKS URL is optional', () => {
    expect(oauthConfigFromEnv({ NEXUS_OAUTH_ISSUER: 'https://idp.test', NEXUS_OAUTH_AUDIENCE: 'https://nexus.test/mcp' })).toEqual({
      issuer: 'https://idp.test',
      audience: 'https://nexus.test/mcp',
    });
    expect(oauthConfigFromEnv({})).toBeUndefined();
  });

  test('half a configuration is INVALID_CONFIG naming every missing piece', () => {
    let problems: unknown;
    try {
      oauthConfigFromEnv({ NEXUS_OAUTH_JWKS_URL: 'nope' });
    } catch (e) {
      problems = (e as { code: string; details: { problems: string[] } }).details.problems;
      expect((e as { code: string }).code).toBe('INVALID_CONFIG');
    }
    expect(problems).toEqual([
      'NEXUS_OAUTH_ISSUER is required with OAuth',
      'NEXUS_OAUTH_AUDIENCE is required with OAuth',
      'NEXUS_OAUTH_JWKS_URL is not a URL',
    ]);
  });
});

describe('JWKS discovery', () => {
  test('OpenID discovery is tried first, then RFC 8414 with the issuer path after the well-known prefix', () => {
    expect(metadataUrls('https://idp.test/tenant/')).toEqual([
      'https://idp.test/tenant/.well-known/openid-configuration',
      'https://idp.test/.well-known/oauth-authorization-server/tenant',
      'https://idp.test/tenant/.well-known/oauth-authorization-server',
    ]);
  });

  test('falls back to authorization-server metadata when there is no OpenID configuration', async () => {
    const seen: string[] = [];
    const fetchFn = serving(
      { 'https://idp.test/.well-known/oauth-authorization-server': { issuer: 'https://idp.test', jwks_uri: 'https://idp.test/keys' } },
      seen,
    );
    expect((await discoverJwksUrl('https://idp.test', fetchFn)).href).toBe('https://idp.test/keys');
    expect(seen.length).toBe(2);
  });

  test('metadata naming another issuer, or none at all, is UNAVAILABLE', async () => {
    const evil = serving({
      'https://idp.test/.well-known/openid-configuration': { issuer: 'https://evil.test', jwks_uri: 'https://evil.test/k' },
    });
    await expect(discoverJwksUrl('https://idp.test', evil)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await expect(discoverJwksUrl('https://idp.test', serving({}))).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });
});

describe('key options', () => {
  test('expiry is a duration from now or an ISO date', () => {
    expect([parseExpiry('90d', 1000), parseExpiry('2030-01-01T00:00:00Z')]).toEqual([1000 + 90 * 86_400_000, Date.UTC(2030, 0, 1)]);
    expect(() => parseExpiry('soon')).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });

  test('tool patterns come as a comma list or an array, trimmed', () => {
    expect([splitPatterns(' jira_*, crm_get_* ,'), splitPatterns(['a_*']), splitPatterns(undefined)]).toEqual([
      ['jira_*', 'crm_get_*'],
      ['a_*'],
      undefined,
    ]);
  });
});
