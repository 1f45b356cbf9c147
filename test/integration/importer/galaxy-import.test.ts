// A real third-party OpenAPI 3.1 document (Scalar Galaxy, MIT) imports into tools that pass the checks,
// list over MCP with the right parameters and reach the backend with the right method, path and body.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { importOpenApiCommand } from '../../../src/cli/import-openapi.ts';
import { schemeAuth } from '../../../src/importer/auth.ts';
import { importOpenApi } from '../../../src/importer/importer.ts';
import { loadSpec } from '../../../src/importer/load.ts';
import { startBackend } from '../../helpers/backend.ts';
import { startGateway, type TestGateway, tempDir } from '../../helpers/gateway.ts';
import { connect, REVISIONS } from '../../helpers/mcp-client.ts';
import { openApi31Issues } from '../../helpers/oas-schema.ts';
import { expectValidToolFile } from '../../unit/importer/valid-tool-file.ts';

const FIXTURE = join(import.meta.dir, '../../fixtures/openapi/scalar-galaxy.yaml');
const spec = await loadSpec(FIXTURE);
const result = importOpenApi(spec);
const tool = (name: string) => result.file.tools.find((t) => t.name === name)!;
const planetId = { type: 'integer', description: 'The ID of the planet to get', examples: [1] };

test('the fixture is itself a valid OpenAPI 3.1 document', async () => {
  expect(spec.version).toBe('3.1');
  expect(await openApi31Issues(spec.doc)).toEqual([]);
});

test('every JSON operation becomes a valid tool and everything else is reported', () => {
  expect(result.file.tools.map((t) => t.name)).toEqual([
    'getAllData',
    'createPlanet',
    'getPlanet',
    'updatePlanet',
    'deletePlanet',
    'createUser',
    'getToken',
    'getMe',
  ]);
  expect(result.warnings).toEqual([
    'createPlanet: callbacks are not supported and were skipped',
    'uploadImage: the multipart/form-data body holds only file parts, which Nexus cannot upload; operation skipped',
    '1 webhook(s) skipped: Nexus calls APIs, it does not receive their events',
  ]);
  expectValidToolFile(result.file, 'scalar-galaxy.yaml');
});

test('the shared backend uses the first server and the first usable document-level scheme', () => {
  expect(result.file.backend).toEqual({
    base_url: 'https://galaxy.scalar.com',
    auth: { type: 'bearer', credential: 'scalar-galaxy-bearerauth' },
  });
  expect([...result.credentials]).toEqual([['scalar-galaxy-bearerauth', 'bearer']]);
});

test('a path parameter from components is a required argument placed in the path', () => {
  const { output, ...rest } = tool('getPlanet');
  expect(rest).toEqual({
    name: 'getPlanet',
    meta: { 'nexus/operation_id': 'getPlanet' },
    title: 'Get a planet',
    description:
      'Get a planet. You’ll better learn a little bit more about the planets. It might come in handy once space travel is available for everyone.',
    input: { type: 'object', properties: { planetId }, required: ['planetId'], additionalProperties: false },
    request: { method: 'GET', path: '/planets/{planetId}' },
    output_check: 'warn',
    annotations: { readOnlyHint: true },
    auth: { type: 'none' },
  });
  expect(output?.required).toEqual(['id', 'name']);
  expect(Object.keys(output?.properties as object)).toEqual([
    'id',
    'name',
    'description',
    'type',
    'habitabilityIndex',
    'physicalProperties',
    'atmosphere',
    'discoveredAt',
    'image',
    'satellites',
    'creator',
    'tags',
    'lastUpdated',
    'successCallbackUrl',
    'failureCallbackUrl',
  ]);
});

test('a $ref body merges beside the path parameter without its read-only fields', () => {
  const { input, ...rest } = tool('updatePlanet');
  expect({ ...rest, output: undefined }).toEqual({
    name: 'updatePlanet',
    meta: { 'nexus/operation_id': 'updatePlanet' },
    title: 'Update a planet',
    description: "Update a planet. Sometimes you make mistakes, that's fine. No worries, you can update all planets.",
    request: { method: 'PUT', path: '/planets/{planetId}' },
    output: undefined,
    output_check: 'warn',
    annotations: { idempotentHint: true },
  });
  expect(input?.required).toEqual(['planetId', 'name']);
  expect(Object.keys(input?.properties as object)).toEqual([
    'planetId',
    'name',
    'description',
    'type',
    'habitabilityIndex',
    'physicalProperties',
    'atmosphere',
    'discoveredAt',
    'image',
    'satellites',
    'creator',
    'tags',
    'successCallbackUrl',
    'failureCallbackUrl',
  ]);
});

test('an allOf body becomes flat arguments, and an anonymous operation sends no credential', () => {
  expect(tool('createUser')).toEqual({
    name: 'createUser',
    meta: { 'nexus/operation_id': 'createUser' },
    title: 'Create a user',
    description: 'Create a user. Time to create a user account, eh?',
    input: {
      type: 'object',
      properties: {
        name: { type: 'string', examples: ['Marc'] },
        email: { type: 'string', format: 'email', examples: ['marc@scalar.com'] },
        password: { type: 'string', examples: ['i-love-scalar', 'i-love-OSS', 'i-love-code'] },
      },
      required: ['email', 'password'],
    },
    request: { method: 'POST', path: '/user/signup' },
    output: { type: 'object', description: 'A user', properties: { id: { type: 'integer' }, name: { type: 'string' } } },
    output_check: 'warn',
    auth: { type: 'none' },
  });
  // getMe accepts the file-level bearer scheme among others, so it inherits it
  expect(tool('getMe').auth).toBeUndefined();
  expect(tool('createPlanet').auth).toBeUndefined();
});

test("each of the document's security schemes maps to an auth block or a manual-setup note", () => {
  const schemes = (spec.doc.components as { securitySchemes: Record<string, unknown> }).securitySchemes;
  const auth = (name: string, scopes: string[] = []) => schemeAuth(name, schemes[name], scopes, 'galaxy', 'https://galaxy.scalar.com');
  expect(auth('bearerAuth')).toEqual({ auth: { type: 'bearer', credential: 'galaxy' } });
  expect(auth('basicAuth')).toEqual({ auth: { type: 'basic', credential: 'galaxy' } });
  expect(auth('apiKeyHeader')).toEqual({ auth: { type: 'api_key', credential: 'galaxy', header: 'X-API-Key' } });
  expect(auth('apiKeyQuery')).toEqual({ auth: { type: 'api_key', credential: 'galaxy', query: 'api_key' } });
  expect(auth('oAuth2', ['read:account'])).toEqual({
    auth: {
      type: 'oauth2_client_credentials',
      credential: 'galaxy',
      token_url: 'https://galaxy.scalar.com/oauth/token',
      scopes: ['read:account'],
    },
  });
  expect(auth('apiKeyCookie')).toEqual({ manual: 'API key in cookie (scheme apiKeyCookie) is not supported' });
  expect(auth('openIdConnect')).toEqual({
    manual:
      "OpenID Connect scheme openIdConnect: write its auth block by hand (e.g. oauth2_client_credentials with the provider's token URL)",
  });
});

describe('through a running gateway', () => {
  const backend = startBackend((req, url) =>
    url.pathname === '/user/signup'
      ? Response.json({ id: 7, name: 'Ada' }, { status: 201 })
      : Response.json({ id: 1, name: 'Mars', method: req.method }),
  );
  let gw: TestGateway;
  beforeAll(async () => {
    const dir = tempDir('nexus-galaxy-');
    const out: string[] = [];
    const io = { env: {}, stdout: (t: string) => out.push(t), stderr: (t: string) => out.push(t), stdin: async () => '' };
    const code = await importOpenApiCommand.run({ ...io, argv: [FIXTURE, '--out', dir, '--base-url', backend.url] });
    expect({ code, out: out.join('') }).toMatchObject({ code: 0 });
    gw = await startGateway({ toolsDir: dir });
  });
  afterAll(async () => {
    await gw?.stop();
    backend.stop();
  });

  for (const rev of REVISIONS) {
    test(`MCP ${rev.name}: the imported tools list with their parameters and reach the backend as declared`, async () => {
      await using client = await connect(gw.mcpUrl, rev).then((c) => Object.assign(c, { [Symbol.asyncDispose]: () => c.close() }));
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(result.file.tools.map((t) => t.name));
      expect(tools.find((t) => t.name === 'getPlanet')?._meta).toEqual({ 'nexus/operation_id': 'getPlanet' });
      expect(tools.find((t) => t.name === 'getPlanet')?.inputSchema).toEqual({
        type: 'object',
        properties: { planetId },
        required: ['planetId'],
        additionalProperties: false,
      });
      const before = backend.requests.length;
      const got = await client.callTool({ name: 'getPlanet', arguments: { planetId: 42 } });
      expect(got.isError).toBeFalsy();
      await client.callTool({ name: 'getAllData', arguments: { limit: 5 } });
      const password = randomBytes(8).toString('hex');
      const made = await client.callTool({ name: 'createUser', arguments: { name: 'Ada', email: 'ada@example.com', password } });
      expect(made.structuredContent).toEqual({ id: 7, name: 'Ada' });
      expect(backend.requests.slice(before).map((r) => ({ method: r.method, path: r.path, search: r.search, body: r.body }))).toEqual([
        { method: 'GET', path: '/planets/42', search: '', body: '' },
        { method: 'GET', path: '/planets', search: '?limit=5', body: '' },
        { method: 'POST', path: '/user/signup', search: '', body: JSON.stringify({ name: 'Ada', email: 'ada@example.com', password }) },
      ]);
    });
  }
});
