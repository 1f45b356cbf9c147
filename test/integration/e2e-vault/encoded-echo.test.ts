// Backends that echo the credential they were given in some other form: JSON-escaped (\u0061...), hex,
// base64 and base64url, a long prefix, inside an image, after 465 bytes of invalid JSON, after 2,000
// bytes of whitespace in a 500 answer. Two instances share PostgreSQL and Redis; the credential is
// stored on one and used through both; cached answers go through Redis. Afterwards no form of any
// secret is on any surface: structuredContent, content text, REST bodies, Redis, logs, audit rows.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { randomBytes } from 'node:crypto';
import { startBackend } from '../../helpers/backend.ts';
import { type TestGateway, toolsDir } from '../../helpers/gateway.ts';
import { bearerOf, canary, gatewayIn, MODES, mcpClient, scopeHolder, tool, toolFile } from './fixtures.ts';
import { dumpRedis, dumpTables, leaks } from './surfaces.ts';

const scope = scopeHolder();
afterAll(() => scope.cleanup());

const unicode = (s: string) => [...s].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
const json = (text: string, status = 200) => new Response(text, { status, headers: { 'content-type': 'application/json' } });

const backend = startBackend((req, url) => {
  const t = bearerOf(req) ?? '';
  switch (url.pathname) {
    case '/unicode':
      return json(`{"echo":"${unicode(t)}","note":"ok"}`);
    case '/unicode500':
      return json(`{"error":"bad token ${unicode(t)}"}`, 500);
    case '/hex':
      return Response.json({ lower: Buffer.from(t).toString('hex'), upper: Buffer.from(t).toString('hex').toUpperCase() });
    case '/base64':
      return Response.json({ std: Buffer.from(t).toString('base64'), url: Buffer.from(`x${t}`).toString('base64url') });
    case '/prefix':
      return Response.json({ truncated: t.slice(0, Math.ceil(t.length * 0.6)) });
    case '/text':
      return new Response(`token=${unicode(t)}`, { headers: { 'content-type': 'text/plain' } });
    case '/image':
      return new Response(Buffer.concat([randomBytes(64), Buffer.from(t), randomBytes(64)]), { headers: { 'content-type': 'image/png' } });
    case '/badjson':
      return json(`{"a":"${'x'.repeat(465 - 6)}${t} and then no closing`);
    case '/spaces500':
      return new Response(`${' '.repeat(2000)}${t}`, { status: 500, headers: { 'content-type': 'text/plain' } });
  }
  return new Response('not found', { status: 404 });
});

const PATHS = ['/unicode', '/unicode500', '/hex', '/base64', '/prefix', '/text', '/image', '/badjson', '/spaces500'];
const TOOLS = toolFile(backend.url, [
  ...PATHS.map((p) => tool(`echo${p.replace('/', '_')}`, p, '{ type: bearer, credential: gh }')),
  ...['/unicode', '/hex', '/base64'].map((p) =>
    tool(`cached${p.replace('/', '_')}`, p, '{ type: bearer, credential: gh }', '    cache: { ttl: 1m }\n'),
  ),
]);
const NAMES = [...PATHS.map((p) => `echo${p.replace('/', '_')}`), 'cached_unicode', 'cached_hex', 'cached_base64'];

afterAll(() => backend.stop());

for (const mode of MODES)
  describe(`credentials echoed in other encodings, ${mode === 'shared' ? 'two instances sharing PostgreSQL and Redis' : 'embedded (in-process cache)'}`, () => {
    const gateways: TestGateway[] = [];
    const secret = canary('base64');
    beforeAll(async () => {
      const shared = mode === 'shared' ? await scope.get() : undefined;
      const dir = toolsDir({ 'tools.yaml': TOOLS });
      gateways.push(await gatewayIn(mode, dir, shared));
      if (shared) gateways.push(await gatewayIn(mode, dir, shared));
      await gateways[0]!.app.services.vault.put('gh', 'bearer', { token: secret }); // B learns it from the store
    });
    afterAll(async () => {
      for (const g of gateways) await g.stop();
    });

    test('every answer is masked on every instance, over MCP and REST, including what the cache serves', async () => {
      const surfaces: Record<string, string> = {};
      const mcpResults: Record<string, unknown> = {};
      for (const [i, gw] of gateways.entries()) {
        const mcp = await mcpClient(gw);
        for (const name of [...NAMES, ...NAMES.filter((n) => n.startsWith('cached'))]) {
          const r = await mcp.client.callTool({ name, arguments: {} });
          const content = (r.content ?? []) as Array<{ text?: string; data?: string }>;
          surfaces[`mcp ${i} ${name} structuredContent`] = JSON.stringify(r.structuredContent ?? null);
          surfaces[`mcp ${i} ${name} content`] = content
            .map((c) => c.text ?? Buffer.from(c.data ?? '', 'base64').toString('latin1'))
            .join('\n');
          mcpResults[name] = r;
          const rest = await fetch(`${gw.url}/api/tools/${name}`, { method: 'POST' });
          surfaces[`rest ${i} ${name}`] = await rest.text();
        }
        await mcp.close();
      }
      for (const gw of gateways) await gw.app.services.audit.flush();
      const shared = mode === 'shared' ? await scope.get() : undefined;
      surfaces.redis = shared ? (await dumpRedis(shared.schema)).text : '';
      surfaces.tables = (await dumpTables(gateways[0]!.app.services.db)).plain;
      surfaces.logs = gateways.flatMap((g) => g.logs).join('\n');
      expect(leaks(surfaces, [secret])).toEqual([]);

      // the answers really carried the echo, masked, so an empty search means something
      const text = (name: string) => ((mcpResults[name] as { content: Array<{ text?: string }> }).content[0]?.text ?? '') as string;
      const structured = (name: string) => (mcpResults[name] as { structuredContent?: unknown }).structuredContent;
      expect(structured('echo_unicode')).toEqual({ echo: '[REDACTED]', note: 'ok' });
      expect(structured('cached_unicode')).toEqual({ echo: '[REDACTED]', note: 'ok' });
      expect(structured('echo_hex')).toEqual({ lower: '[REDACTED]', upper: '[REDACTED]' });
      expect(structured('echo_base64')).toEqual({ std: '[REDACTED]', url: expect.stringMatching(/^.{0,3}\[REDACTED\]$/) });
      expect(structured('echo_prefix')).toEqual({ truncated: '[REDACTED]' });
      expect(text('echo_text')).toBe('token=[REDACTED]');
      expect(text('echo_image')).toMatch(/^Backend answer \(image\/png, \d+ bytes\) withheld: it contains a credential$/);
      expect(text('echo_badjson')).toMatch(/^Backend sent invalid JSON \(HTTP 200\): \{"a":"x+\[REDACTED\] and then no closing$/);
      expect(text('echo_spaces500')).toBe('Backend answered 500 Internal Server Error: [REDACTED]');
      expect(text('echo_unicode500')).toBe('Backend answered 500 Internal Server Error: {"error":"bad token [REDACTED]"}');
      if (shared) expect(surfaces.redis).toContain('cache');
      expect(surfaces.tables).toContain('cached_unicode');
    });
  });
