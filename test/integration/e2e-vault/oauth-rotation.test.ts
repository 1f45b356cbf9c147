// A rotating refresh token with reuse detection (RFC 9700 4.14.2): the stand-in authorization server
// issues a new refresh token on every refresh and revokes the whole token family when a used one is
// presented again. Two instances share PostgreSQL and Redis; 50 calls spread over both after the
// access token expired make exactly one refresh, the family survives, and every call succeeds.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { Redis } from 'ioredis';
import { startBackend } from '../../helpers/backend.ts';
import { TEST_REDIS_URL, type TestGateway, toolsDir, waitFor } from '../../helpers/gateway.ts';
import { bearerOf, canary, gatewayIn, mcpClient, scopeHolder, tool, toolFile, unauthorized } from './fixtures.ts';

const scope = scopeHolder();
afterAll(() => scope.cleanup());

const client = { client_id: `app-${canary()}`, client_secret: canary('base64') };

function rotatingServer() {
  const state = { current: canary(), used: new Set<string>(), access: new Set<string>(), revoked: false, refreshes: 0, lifetimeS: 3600 };
  const backend = startBackend(async (req, url) => {
    if (url.pathname === '/oauth/token') {
      const presented = new URLSearchParams(await req.text()).get('refresh_token') ?? '';
      if (state.used.has(presented)) {
        state.revoked = true; // reuse: the whole family is gone, refresh and access tokens alike
        state.access.clear();
      }
      if (state.revoked || presented !== state.current) return Response.json({ error: 'invalid_grant' }, { status: 400 });
      state.refreshes++;
      state.used.add(presented);
      state.current = canary();
      await Bun.sleep(50); // a real token endpoint takes a moment: the window the other instance would race in
      const access = canary();
      state.access.add(access);
      return Response.json({ access_token: access, token_type: 'Bearer', expires_in: state.lifetimeS, refresh_token: state.current });
    }
    return state.access.has(bearerOf(req) ?? '') ? Response.json({ ok: true }) : unauthorized();
  });
  return { backend, state };
}

describe('one refresh of a rotating refresh token across two instances', () => {
  const as = rotatingServer();
  const gateways: TestGateway[] = [];
  beforeAll(async () => {
    const shared = await scope.get();
    const dir = toolsDir({
      'tools.yaml': toolFile(as.backend.url, [
        tool('drive_files', '/files', `{ type: oauth2_refresh_token, credential: drive, token_url: "${as.backend.url}/oauth/token" }`),
      ]),
    });
    gateways.push(await gatewayIn('shared', dir, shared), await gatewayIn('shared', dir, shared));
    await gateways[0]!.app.services.vault.put('drive', 'oauth2_refresh_token', { ...client, refresh_token: as.state.current });
  });
  afterAll(async () => {
    for (const g of gateways) await g.stop();
    as.backend.stop();
  });

  test('50 concurrent calls over both instances after the access token expired: one refresh, no revocation, all succeed', async () => {
    const shared = await scope.get();
    as.state.lifetimeS = 1; // the first token expires at once (cached for 0.9 s)
    const mcps = await Promise.all(gateways.map((g) => mcpClient(g)));
    expect((await mcps[0]!.call('drive_files')).isError).toBe(false);
    const redis = new Redis(TEST_REDIS_URL);
    try {
      await waitFor(async () => (await redis.keys(`${shared.prefix}tok:*`)).length === 0, 5000, 'the cached access token to expire');
    } finally {
      redis.disconnect();
    }
    as.state.lifetimeS = 3600;
    const before = as.state.refreshes;
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => mcps[i % 2]!.call('drive_files')));
    await Promise.all(mcps.map((m) => m.close()));
    const stored = await gateways[1]!.app.services.vault.resolve('drive');
    expect({
      failed: results.filter((r) => r.isError).map((r) => r.text),
      refreshes: as.state.refreshes - before,
      revoked: as.state.revoked,
      storedIsCurrent: stored.secret.refresh_token === as.state.current,
    }).toEqual({ failed: [], refreshes: 1, revoked: false, storedIsCurrent: true });
  });
});
