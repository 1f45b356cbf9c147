// Unique random secrets planted in the vault go through real calls (backends that echo the request
// back in 200 and 500 answers, OAuth token exchanges, errors); afterwards none of them, clear, base64
// or URL-encoded, is on any surface: tools/list, results, errors, logs, OpenAPI, `vault list`, the
// admin API, audit rows, Redis, every table outside the ciphertext columns, nor in those in clear.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { randomBytes } from 'node:crypto';
import { vaultListCommand } from '../../../src/cli/vault.ts';
import { startBackend } from '../../helpers/backend.ts';
import { type TestGateway, tempDir, toolsDir } from '../../helpers/gateway.ts';
import { canary, cliEnv, gatewayIn, MODES, mcpClient, scopeHolder, tool, toolFile } from './fixtures.ts';
import { dumpRedis, dumpTables, leaks, runCommand, sqliteBytes } from './surfaces.ts';

/** The result as JSON plus its text content as is (JSON would double any backslash in it). */
const resultText = (r: { content?: unknown }) =>
  `${JSON.stringify(r)}\n${((r.content ?? []) as Array<{ text?: string }>).map((c) => c.text ?? '').join('\n')}`;

const scope = scopeHolder();
afterAll(() => scope.cleanup());

for (const mode of MODES) {
  describe(`canary secrets through a ${mode} gateway`, () => {
    const canaries: string[] = [];
    const plant = (kind: 'hex' | 'base64' = 'hex') => {
      const c = canary(kind);
      canaries.push(c);
      return c;
    };
    const client = { client_id: plant(), client_secret: plant('base64') };
    const echo = (req: Request) => ({ headers: Object.fromEntries(req.headers), url: req.url });
    const backend = startBackend(async (req, url) => {
      switch (url.pathname) {
        case '/oauth/token': {
          const form = new URLSearchParams(await req.text());
          const basic = `Basic ${Buffer.from(`${client.client_id}:${encodeURIComponent(client.client_secret)}`).toString('base64')}`;
          if (req.headers.get('authorization') !== basic) return Response.json({ error: 'invalid_client' }, { status: 401 });
          const rotated = form.get('grant_type') === 'refresh_token' ? { refresh_token: plant('base64') } : {};
          return Response.json({ access_token: plant('base64'), expires_in: 3600, ...rotated });
        }
        case '/echo200':
          return Response.json(echo(req));
        case '/echo200escaped': // as PHP's json_encode writes it: every "/" escaped
          return new Response(JSON.stringify(echo(req)).replace(/\//g, '\\/'), { headers: { 'content-type': 'application/json' } });
        case '/echo500':
          return Response.json(echo(req), { status: 500 });
        case '/echotext500':
          return new Response(
            `${Object.entries(echo(req).headers)
              .map(([k, v]) => `${k}: ${v}`)
              .join('\n')}\n${req.url}`,
            { status: 500 },
          );
      }
      return new Response('not found', { status: 404 });
    });
    const tokenUrl = `${backend.url}/oauth/token`;
    const TOOLS = toolFile(backend.url, [
      tool('echo_basic_200', '/echo200', '{ type: basic, credential: jira }'),
      tool('echo_bearer_500', '/echo500', '{ type: bearer, credential: gh }'),
      tool('echo_header_key_text_500', '/echotext500', '{ type: api_key, credential: crm, header: X-API-Key }'),
      tool('echo_query_key_200', '/echo200', '{ type: api_key, credential: maps, query: key }'),
      tool('echo_query_key_500', '/echo500', '{ type: api_key, credential: maps, query: key }'),
      tool('echo_escaped_200', '/echo200escaped', '{ type: bearer, credential: gh }'),
      tool('echo_cached_200', '/echo200', '{ type: basic, credential: jira }', '    cache: { ttl: 1m }\n'),
      tool('echo_oauth_200', '/echo200', `{ type: oauth2_client_credentials, credential: sf, token_url: "${tokenUrl}" }`),
      tool('echo_refresh_500', '/echo500', `{ type: oauth2_refresh_token, credential: google, token_url: "${tokenUrl}" }`),
      tool('echo_per_user_200', '/echo200', '{ type: bearer, credential: per-user }'),
      tool('wrong_client', '/echo200', `{ type: oauth2_client_credentials, credential: sf-wrong, token_url: "${tokenUrl}" }`),
      tool('missing', '/echo200', '{ type: bearer, credential: never-stored }'),
      tool('wrong_type', '/echo200', '{ type: basic, credential: gh }'),
    ]);

    const dataDir = tempDir('nexus-data-');
    const adminToken = randomBytes(24).toString('hex');
    let gw: TestGateway;
    let shared: Awaited<ReturnType<typeof scope.get>> | undefined;
    const results: string[] = [];
    beforeAll(async () => {
      shared = mode === 'shared' ? await scope.get() : undefined;
      gw = await gatewayIn(mode, toolsDir({ 'tools.yaml': TOOLS }), shared, { NEXUS_DATA_DIR: dataDir, NEXUS_ADMIN_TOKEN: adminToken });
      const v = gw.app.services.vault;
      await v.put('jira', 'basic', { username: plant(), password: plant('base64') });
      await v.put('gh', 'bearer', { token: plant('base64') });
      await v.put('crm', 'api_key', { key: plant() });
      await v.put('maps', 'api_key', { key: plant('base64') });
      await v.put('sf', 'oauth2_client_credentials', client);
      await v.put('sf-wrong', 'oauth2_client_credentials', { client_id: client.client_id, client_secret: plant('base64') });
      await v.put('google', 'oauth2_refresh_token', { ...client, refresh_token: plant('base64') });
      await v.put('per-user', 'bearer', { token: plant() });
      await v.put('per-user', 'bearer', { token: plant('base64') }, 'key:alice');
    });
    afterAll(async () => {
      await gw?.stop();
      backend.stop();
    });

    const ALL = [
      'echo_basic_200',
      'echo_bearer_500',
      'echo_header_key_text_500',
      'echo_query_key_200',
      'echo_query_key_500',
      'echo_cached_200',
      'echo_cached_200',
      'echo_oauth_200',
      'echo_refresh_500',
      'echo_per_user_200',
      'wrong_client',
      'missing',
      'wrong_type',
    ];

    test('every call over MCP and REST answers, with each echoed credential masked', async () => {
      const { key } = await gw.app.services.keys.create('alice', { tools: ['*'] });
      const mcp = await mcpClient(gw, key);
      const raw: Array<{ isError?: boolean; structuredContent?: unknown }> = [];
      for (const name of ALL) {
        const r = await mcp.client.callTool({ name, arguments: {} });
        raw.push(r as (typeof raw)[number]);
        results.push(`mcp ${name}: ${resultText(r)}`);
        const rest = await fetch(`${gw.url}/api/tools/${name}`, { method: 'POST', headers: { authorization: `Bearer ${key}` } });
        results.push(`rest ${name} ${rest.status}: ${await rest.text()}`);
      }
      results.push(`tools/list: ${JSON.stringify(await mcp.client.listTools())}`);
      await mcp.close();
      expect(raw.map((r) => r.isError === true)).toEqual([
        false,
        true,
        true,
        false,
        true,
        false,
        false,
        false,
        true,
        false,
        true,
        true,
        true,
      ]);
      // a backend echoing the credential it was given into a success body: the value is masked
      const echoed = raw[0]!.structuredContent as { headers: Record<string, string> };
      expect(echoed.headers.authorization).toBe('[REDACTED]');
      // a backend error excerpt that echoes the request keeps its shape, with the credential masked
      const excerpt = (i: number) => (raw[i] as { content: Array<{ text: string }> }).content[0]!.text;
      expect([
        excerpt(1).includes('"authorization":"[REDACTED]"'),
        excerpt(2).includes('x-api-key: [REDACTED]'),
        excerpt(4).includes('/echo500?key=[REDACTED]'),
      ]).toEqual([true, true, true]);
    });

    test('no canary, clear or encoded, is on any surface', async () => {
      await gw.app.services.audit.flush();
      const get = async (path: string, headers: Record<string, string> = {}) => (await fetch(`${gw.url}${path}`, { headers })).text();
      const listEnv = cliEnv(mode, dataDir, shared);
      const cli = [await runCommand(vaultListCommand, [], listEnv), await runCommand(vaultListCommand, ['--json'], listEnv)];
      const db = await dumpTables(gw.app.services.db);
      const redis = shared ? await dumpRedis(shared.schema) : { text: '', keys: [] };
      const surfaces: Record<string, string> = {
        results: results.join('\n'),
        logs: gw.logs.join('\n'),
        openapi: await get('/openapi.json'),
        metrics: await get('/metrics'),
        adminList: await get('/admin/credentials', { authorization: `Bearer ${adminToken}` }),
        vaultList: cli.map((c) => c.stdout + c.stderr).join('\n'),
        dbPlainColumns: db.plain,
        dbSealedColumns: db.sealed,
        sqliteFile: shared ? '' : sqliteBytes(dataDir),
        redis: redis.text,
      };
      expect(leaks(surfaces, canaries)).toEqual([]);

      // the surfaces really hold what they should, so an empty search means something
      expect(cli.map((c) => c.code)).toEqual([0, 0]);
      expect(surfaces.vaultList).toContain('per-user');
      expect(db.tables).toEqual(expect.arrayContaining(['audit_log', 'vault_credentials', 'vault_credential_versions']));
      expect(db.plain).toContain('echo_refresh_500');
      expect(gw.logs.some((l) => l.includes('"level":"debug"'))).toBe(true);
      expect(canaries.length).toBe(11 + 3); // planted, plus two issued access tokens and one rotated refresh token
      if (shared) expect(redis.keys.some((k) => k.includes(':tok:')) && redis.keys.some((k) => k.includes('cache'))).toBe(true);
    });

    test('a JSON answer that escapes "/" as "\\/" (as PHP writes it) has its echoed secret masked too', async () => {
      const { key } = await gw.app.services.keys.create('escaped', { tools: ['*'] });
      const mcp = await mcpClient(gw, key);
      const r = await mcp.client.callTool({ name: 'echo_escaped_200', arguments: {} });
      await mcp.close();
      const rest = await fetch(`${gw.url}/api/tools/echo_escaped_200`, { method: 'POST', headers: { authorization: `Bearer ${key}` } });
      expect(leaks({ mcp: resultText(r), rest: await rest.text() }, canaries)).toEqual([]);
    });
  });
}
