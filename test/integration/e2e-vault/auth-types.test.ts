// Basic, bearer and API-key credentials go from the vault into backend requests through a real
// gateway, against stand-ins that refuse anything else; a per-principal credential wins over the
// shared one; a missing or mistyped credential is a tool error naming it.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { startBackend } from '../../helpers/backend.ts';
import { type TestGateway, toolsDir } from '../../helpers/gateway.ts';
import { basicHeader, bearerOf, canary, gatewayIn, MODES, mcpClient, scopeHolder, tool, toolFile, unauthorized } from './fixtures.ts';

const s = {
  user: `bot-${canary()}`,
  pass: canary('base64'),
  token: canary(),
  headerKey: canary('base64'),
  queryKey: canary('base64'),
  shared: canary(),
  alice: canary(),
};

const ok = (what: string) => Response.json({ ok: what });
const backend = startBackend((req, url) => {
  const auth = req.headers.get('authorization');
  switch (url.pathname) {
    case '/basic':
      return auth === basicHeader(s.user, s.pass) ? ok('basic') : unauthorized();
    case '/bearer':
      return bearerOf(req) === s.token ? ok('bearer') : unauthorized();
    case '/header-key':
      return req.headers.get('x-api-key') === s.headerKey ? ok('header') : unauthorized();
    case '/query-key':
      return url.searchParams.get('api_key') === s.queryKey ? ok('query') : unauthorized();
    case '/whoami': {
      const who = { [s.shared]: 'shared', [s.alice]: 'alice' }[bearerOf(req) ?? ''];
      return who ? Response.json({ who }) : unauthorized();
    }
  }
  return Response.json({ error: 'no such path' }, { status: 404 });
});

const TOOLS = toolFile(backend.url, [
  tool('basic_tool', '/basic', '{ type: basic, credential: jira-bot }'),
  tool('bearer_tool', '/bearer', '{ type: bearer, credential: gh-token }'),
  tool('header_key_tool', '/header-key', '{ type: api_key, credential: crm-key, header: X-API-Key }'),
  tool('query_key_tool', '/query-key', '{ type: api_key, credential: maps-key, query: api_key }'),
  tool('whoami', '/whoami', '{ type: bearer, credential: per-user }'),
  tool('wrong_secret', '/basic', '{ type: basic, credential: jira-wrong }'),
  tool('missing_cred', '/bearer', '{ type: bearer, credential: never-stored }'),
  tool('wrong_type', '/basic', '{ type: basic, credential: gh-token }'),
]);

const scope = scopeHolder();
afterAll(async () => {
  await scope.cleanup();
  backend.stop();
});

for (const mode of MODES) {
  describe(`auth types through a ${mode} gateway`, () => {
    let gw: TestGateway;
    let keys: { alice: string; bob: string };
    let alice: Awaited<ReturnType<typeof mcpClient>>;
    let bob: Awaited<ReturnType<typeof mcpClient>>;
    beforeAll(async () => {
      gw = await gatewayIn(mode, toolsDir({ 'tools.yaml': TOOLS }), await scope.get());
      const v = gw.app.services.vault;
      await v.put('jira-bot', 'basic', { username: s.user, password: s.pass });
      await v.put('jira-wrong', 'basic', { username: s.user, password: canary() });
      await v.put('gh-token', 'bearer', { token: s.token });
      await v.put('crm-key', 'api_key', { key: s.headerKey });
      await v.put('maps-key', 'api_key', { key: s.queryKey });
      await v.put('per-user', 'bearer', { token: s.shared });
      await v.put('per-user', 'bearer', { token: s.alice }, 'key:alice');
      keys = {
        alice: (await gw.app.services.keys.create('alice', { tools: ['*'] })).key,
        bob: (await gw.app.services.keys.create('bob', { tools: ['*'] })).key,
      };
      [alice, bob] = await Promise.all([mcpClient(gw, keys.alice), mcpClient(gw, keys.bob)]);
    });
    afterAll(async () => {
      await alice?.close();
      await bob?.close();
      await gw?.stop();
    });

    test('basic, bearer, header and query API-key tools reach backends that refuse anything but the stored secret', async () => {
      const results = await Promise.all(['basic_tool', 'bearer_tool', 'header_key_tool', 'query_key_tool'].map((t) => bob.call(t)));
      expect(results.map((r) => [r.isError, r.structured])).toEqual([
        [false, { ok: 'basic' }],
        [false, { ok: 'bearer' }],
        [false, { ok: 'header' }],
        [false, { ok: 'query' }],
      ]);
    });

    test('a stored but wrong secret is refused by the backend and the 401 comes back as a tool error', async () => {
      const r = await bob.call('wrong_secret');
      expect([r.isError, r.text.startsWith('Backend answered 401')]).toEqual([true, true]);
    });

    test('a credential stored for the calling principal wins over the shared one', async () => {
      expect([(await alice.call('whoami')).structured, (await bob.call('whoami')).structured]).toEqual([
        { who: 'alice' },
        { who: 'shared' },
      ]);
    });

    test('a missing credential is a tool error naming the credential, and the backend is never called', async () => {
      const before = backend.requests.length;
      expect(await bob.call('missing_cred')).toEqual({ isError: true, text: 'credential "never-stored" is not in the vault' });
      expect(backend.requests.length).toBe(before);
    });

    test('a credential of another type than the tool needs is a tool error naming both types, never the secret', async () => {
      const r = await bob.call('wrong_type');
      expect(r).toEqual({ isError: true, text: 'credential "gh-token" is a bearer credential, the tool expects basic' });
    });
  });
}
