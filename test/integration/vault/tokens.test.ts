// OAuth2 tokens against a local token endpoint: one request for many calls, refresh tokens stored
// back, and a shared Redis cache that never holds a token in clear.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { Redis } from 'ioredis';
import { ANONYMOUS } from '../../../src/caller.ts';
import { createAuthInjector } from '../../../src/vault/inject.ts';
import { createMemoryTokenCache } from '../../../src/vault/token-cache.ts';
import { createRedisTokenCache } from '../../../src/vault/token-cache-redis.ts';
import { type OAuthAuth, TokenManager } from '../../../src/vault/tokens.ts';
import { Vault } from '../../../src/vault/vault.ts';
import { TEST_REDIS_URL } from '../../helpers/test-services.ts';
import { type TestStore, testStore } from '../db/stores.ts';
import { canary, codeOf, encodings, randomMasterKey, rejection } from './secrets.ts';

const client = { client_id: canary('client'), client_secret: canary('secret') };
const requests: URLSearchParams[] = [];
const issued: string[] = [];
let server: ReturnType<typeof Bun.serve>;
let store: TestStore;
let vault: Vault;
const master = randomMasterKey();

beforeAll(async () => {
  server = Bun.serve({
    port: 0,
    async fetch(req) {
      const form = new URLSearchParams(await req.text());
      requests.push(form);
      const [id, secret] = Buffer.from((req.headers.get('authorization') ?? '').replace(/^Basic /, ''), 'base64')
        .toString()
        .split(':');
      if (decodeURIComponent(id!) !== client.client_id || decodeURIComponent(secret!) !== client.client_secret) {
        return Response.json({ error: 'invalid_client' }, { status: 401 });
      }
      const token = canary('access');
      issued.push(token);
      const refresh = form.get('grant_type') === 'refresh_token' ? { refresh_token: canary('refresh') } : {};
      return Response.json({ access_token: token, token_type: 'Bearer', expires_in: 3600, ...refresh });
    },
  });
  store = await testStore('sqlite');
  vault = await Vault.open(store.db, master);
  await vault.put('sf', 'oauth2_client_credentials', client);
  await vault.put('google', 'oauth2_refresh_token', { ...client, refresh_token: canary('refresh') });
  await vault.put('wrong', 'oauth2_client_credentials', { client_id: client.client_id, client_secret: canary('not-it') });
});
afterAll(async () => {
  server.stop(true);
  await store.close();
});

const url = () => `http://127.0.0.1:${server.port}/oauth/token`;
const cc = (credential = 'sf'): OAuthAuth => ({
  type: 'oauth2_client_credentials',
  credential,
  token_url: url(),
  scopes: ['api', 'read'],
  audience: 'crm',
});
const fresh = () => requests.splice(0);

async function scanKeys(redis: Redis, pattern: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 100);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return keys;
}

describe('token manager', () => {
  test('15 concurrent then 5 sequential calls fetch exactly one access token', async () => {
    fresh();
    const tokens = new TokenManager({ vault, cache: createMemoryTokenCache() });
    const concurrent = await Promise.all(Array.from({ length: 15 }, () => tokens.accessToken(cc())));
    const sequential: string[] = [];
    for (let i = 0; i < 5; i++) sequential.push(await tokens.accessToken(cc()));
    expect(new Set([...concurrent, ...sequential])).toEqual(new Set([issued.at(-1)!]));
    expect(fresh().map((f) => Object.fromEntries(f))).toEqual([{ grant_type: 'client_credentials', scope: 'api read', audience: 'crm' }]);
  });

  test('a refresh token rotated by the endpoint is stored back as a new version and used next time', async () => {
    fresh();
    const tokens = new TokenManager({ vault, cache: createMemoryTokenCache() });
    const auth: OAuthAuth = { type: 'oauth2_refresh_token', credential: 'google', token_url: url() };
    const first = (await vault.resolve('google')).secret.refresh_token;
    await tokens.accessToken(auth);
    const stored = await vault.resolve('google');
    expect(stored.version).toBe(2);
    await tokens.accessToken(auth, undefined, { force: true });
    expect(fresh().map((f) => f.get('refresh_token') ?? undefined)).toEqual([first, stored.secret.refresh_token]);
    expect((await vault.lookup('google'))!.version).toBe(3);
  });

  test('a rejected client is CREDENTIAL_ERROR naming the credential and the OAuth error, never the secret', async () => {
    const e = await rejection(new TokenManager({ vault, cache: createMemoryTokenCache() }).accessToken(cc('wrong')));
    expect(codeOf(e)).toBe('CREDENTIAL_ERROR');
    expect((e as Error).message).toBe('the token endpoint for credential "wrong" answered 401 (invalid_client)');
  });

  test('a missing or mistyped credential is CREDENTIAL_ERROR before any request', async () => {
    fresh();
    const tokens = new TokenManager({ vault, cache: createMemoryTokenCache() });
    expect(codeOf(await rejection(tokens.accessToken(cc('absent'))))).toBe('CREDENTIAL_ERROR');
    expect(codeOf(await rejection(tokens.accessToken({ ...cc('google') })))).toBe('CREDENTIAL_ERROR');
    expect(fresh()).toEqual([]);
  });

  test('a backend 401 makes attempt 2 fetch a new token, and only then', async () => {
    fresh();
    const { inject } = createAuthInjector({ vault, tokens: new TokenManager({ vault, cache: createMemoryTokenCache() }) });
    const headers = async (attempt: 1 | 2) => (await inject(cc(), ANONYMOUS, attempt)).headers.authorization;
    const [a, b, c] = [await headers(1), await headers(1), await headers(2)];
    expect([a === b, b === c, fresh().length]).toEqual([true, false, 2]);
    expect(c).toBe(`Bearer ${issued.at(-1)}`);
  });
});

describe('Redis token cache', () => {
  const prefix = `test:nxv:${crypto.randomUUID()}:`;
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1, connectTimeout: 2000 });
  });
  afterAll(async () => {
    const keys = await scanKeys(redis, `${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  test('a second instance reuses the cached token, and Redis holds it only encrypted', async () => {
    fresh();
    const cache = () => createRedisTokenCache(redis, master, { prefix });
    const token = await new TokenManager({ vault, cache: cache() }).accessToken(cc());
    expect(await new TokenManager({ vault, cache: cache() }).accessToken(cc())).toBe(token);
    expect(fresh().length).toBe(1);
    const keys = await scanKeys(redis, `${prefix}*`);
    const values = await Promise.all(keys.map((k) => redis.get(k)));
    expect(keys.length).toBe(1);
    expect(encodings(token).filter((e) => values.join('\n').includes(e) || keys.join('\n').includes(e))).toEqual([]);
  });

  test('with Redis unreachable, tokens are still fetched and calls keep working', async () => {
    fresh();
    const probe = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } });
    const port = probe.port;
    probe.stop(true);
    const down = new Redis({
      host: '127.0.0.1',
      port,
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    down.on('error', () => {});
    const tokens = new TokenManager({ vault, cache: createRedisTokenCache(down, master, { prefix }) });
    expect(await tokens.accessToken(cc())).toBe(issued.at(-1)!);
    expect(fresh().length).toBe(1);
    down.disconnect();
  });

  test('an instance with another master key cannot read the cached token and fetches its own', async () => {
    fresh();
    await new TokenManager({ vault, cache: createRedisTokenCache(redis, randomMasterKey(), { prefix }) }).accessToken(cc());
    expect(fresh().length).toBe(1);
  });
});
