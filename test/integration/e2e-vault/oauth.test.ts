// OAuth2 through a real gateway: a stand-in token endpoint and an API that accepts only the tokens it
// issued. Many calls share one token; a 401 refreshes once and retries once; a rotated refresh token
// is stored back as a new version and is the one used next.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { startBackend } from '../../helpers/backend.ts';
import { type TestGateway, toolsDir } from '../../helpers/gateway.ts';
import { bearerOf, canary, gatewayIn, MODES, mcpClient, scopeHolder, tool, toolFile, unauthorized } from './fixtures.ts';

const client = { client_id: `app-${canary()}`, client_secret: canary('base64') };

/** Token endpoint + API in one stand-in; `expireAll` makes the API refuse every token issued so far. */
function oauthServer() {
  const live = new Set<string>();
  const grants: string[] = [];
  const state = { refresh: canary(), refuseAll: false };
  const backend = startBackend(async (req, url) => {
    if (url.pathname === '/oauth/token') {
      const form = new URLSearchParams(await req.text());
      const [id, secret] = Buffer.from((req.headers.get('authorization') ?? '').replace(/^Basic /, ''), 'base64')
        .toString()
        .split(':');
      if (decodeURIComponent(id ?? '') !== client.client_id || decodeURIComponent(secret ?? '') !== client.client_secret) {
        return Response.json({ error: 'invalid_client' }, { status: 401 });
      }
      const grant = form.get('grant_type') ?? '';
      grants.push(grant);
      const token = canary();
      if (grant === 'refresh_token') {
        if (form.get('refresh_token') !== state.refresh) return Response.json({ error: 'invalid_grant' }, { status: 400 });
        state.refresh = canary();
        live.add(token);
        return Response.json({ access_token: token, token_type: 'Bearer', expires_in: 3600, refresh_token: state.refresh });
      }
      live.add(token);
      return Response.json({ access_token: token, token_type: 'Bearer', expires_in: 3600 });
    }
    return !state.refuseAll && live.has(bearerOf(req) ?? '') ? Response.json({ ok: url.pathname }) : unauthorized();
  });
  const apiHits = () => backend.requests.filter((r) => r.path !== '/oauth/token').length;
  return { backend, grants, state, apiHits, expireAll: () => live.clear() };
}

const scope = scopeHolder();
afterAll(() => scope.cleanup());

for (const mode of MODES) {
  describe(`OAuth2 through a ${mode} gateway`, () => {
    const oauth = oauthServer();
    const gateways: TestGateway[] = [];
    let dir: string;
    let mcp: Awaited<ReturnType<typeof mcpClient>>;
    beforeAll(async () => {
      const tokenUrl = `${oauth.backend.url}/oauth/token`;
      dir = toolsDir({
        'tools.yaml': toolFile(oauth.backend.url, [
          tool(
            'crm_accounts',
            '/accounts',
            `{ type: oauth2_client_credentials, credential: sf-app, token_url: "${tokenUrl}", scopes: [api] }`,
          ),
          tool('drive_files', '/files', `{ type: oauth2_refresh_token, credential: google-user, token_url: "${tokenUrl}" }`),
        ]),
      });
      gateways.push(await gatewayIn(mode, dir, await scope.get()));
      await gateways[0]!.app.services.vault.put('sf-app', 'oauth2_client_credentials', client);
      await gateways[0]!.app.services.vault.put('google-user', 'oauth2_refresh_token', { ...client, refresh_token: oauth.state.refresh });
      mcp = await mcpClient(gateways[0]!);
    });
    afterAll(async () => {
      await mcp?.close();
      for (const gw of gateways) await gw.stop();
      oauth.backend.stop();
    });

    test('15 calls, five of them at once, fetch exactly one access token', async () => {
      const first = await Promise.all(Array.from({ length: 5 }, () => mcp.call('crm_accounts')));
      const rest = [];
      for (let i = 0; i < 10; i++) rest.push(await mcp.call('crm_accounts'));
      expect([...first, ...rest].filter((r) => r.isError)).toEqual([]);
      expect(oauth.grants).toEqual(['client_credentials']);
    });

    test('a 401 to an expired token triggers one token refresh and one retry', async () => {
      oauth.grants.length = 0;
      oauth.expireAll();
      const hits = oauth.apiHits();
      const r = await mcp.call('crm_accounts');
      expect([r.isError, r.structured, oauth.grants, oauth.apiHits() - hits]).toEqual([
        false,
        { ok: '/accounts' },
        ['client_credentials'],
        2,
      ]);
    });

    test('a 401 to a freshly refreshed token is returned as a tool error, not retried again', async () => {
      const hits = oauth.apiHits();
      oauth.grants.length = 0;
      oauth.state.refuseAll = true;
      const r = await mcp.call('crm_accounts').finally(() => (oauth.state.refuseAll = false));
      expect([r.isError, r.text.startsWith('Backend answered 401'), oauth.grants, oauth.apiHits() - hits]).toEqual([
        true,
        true,
        ['client_credentials'],
        2,
      ]);
    });

    test('a rotated refresh token is stored back as a new version and used for the next refresh', async () => {
      const vault = gateways[0]!.app.services.vault;
      oauth.grants.length = 0;
      const r1 = await mcp.call('drive_files');
      const stored = await vault.resolve('google-user');
      expect([r1.isError, stored.version, stored.secret.refresh_token === oauth.state.refresh]).toEqual([false, 2, true]);
      oauth.expireAll(); // next call: 401, refresh with the rotated token (the old one is refused), retry
      const r2 = await mcp.call('drive_files');
      expect([r2.isError, oauth.grants, (await vault.resolve('google-user')).version]).toEqual([
        false,
        ['refresh_token', 'refresh_token'],
        3,
      ]);
    });

    if (mode === 'shared') {
      test('a second instance on the same Redis uses the cached access token instead of fetching its own', async () => {
        expect((await mcp.call('crm_accounts')).isError).toBe(false);
        oauth.grants.length = 0;
        gateways.push(await gatewayIn(mode, dir, await scope.get()));
        const other = await mcpClient(gateways[1]!);
        const results = await Promise.all(Array.from({ length: 3 }, () => other.call('crm_accounts')));
        await other.close();
        expect([results.map((r) => r.isError), oauth.grants]).toEqual([[false, false, false], []]);
      });
    }
  });
}
