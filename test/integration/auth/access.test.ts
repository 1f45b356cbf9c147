// Acceptance: keys and tokens through a real MCP endpoint, with keys and the audit trail in PostgreSQL.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { hashArguments } from '../../../src/audit/record.ts';
import { type AuditSink, createAuditSink } from '../../../src/audit/sink.ts';
import { createAuditStore } from '../../../src/audit/store.ts';
import { canUse } from '../../../src/auth/access.ts';
import { createAuthenticator } from '../../../src/auth/authenticate.ts';
import { createJwtVerifier } from '../../../src/auth/jwt.ts';
import { createKeyService, type KeyService } from '../../../src/auth/keys.ts';
import { parseRules } from '../../../src/auth/rules.ts';
import { createCallPipeline } from '../../../src/call/pipeline.ts';
import { createHttpInvoker } from '../../../src/invoke/http-invoker.ts';
import { silentLogger } from '../../../src/log.ts';
import { createMcpEndpoint } from '../../../src/mcp/endpoint.ts';
import { loadToolsDir } from '../../../src/registry/load.ts';
import { createRegistry } from '../../../src/registry/registry.ts';
import { startBackend } from '../../helpers/backend.ts';
import { toolsDir, waitFor } from '../../helpers/gateway.ts';
import { connect, REVISIONS, rawPost } from '../../helpers/mcp-client.ts';
import { type TestStore, testStore } from '../db/stores.ts';
import { type SigningKey, signingKey, startIssuer, type TestIssuer } from './issuer.ts';

const backend = startBackend((_req, url) =>
  url.pathname.endsWith('/boom') ? new Response('down', { status: 500 }) : Response.json({ ok: true }),
);
const TOOLS = `
backend: { base_url: ${backend.url}/api }
tools:
  - { name: jira_get, description: Get an issue., request: { method: GET, path: /jira } }
  - { name: jira_boom, description: Always fails., request: { method: GET, path: /boom } }
  - { name: crm_get, description: Get a contact., request: { method: GET, path: /crm } }
`;
const RULES = "rules:\n  - when: { scope: crm }\n    tools: ['crm_*']\n";
const META = 'http://nexus.test/.well-known/oauth-protected-resource';

let store: TestStore;
let keys: KeyService;
let sink: AuditSink;
let idp: TestIssuer;
let signer: SigningKey;
let server: ReturnType<typeof Bun.serve>;
let mcpUrl: URL;
const issued: Record<string, string> = {};

beforeAll(async () => {
  store = await testStore('postgres');
  keys = createKeyService(store.db);
  sink = createAuditSink({ store: createAuditStore(store.db), log: silentLogger, flushIntervalMs: 20 });
  signer = await signingKey('k1');
  idp = await startIssuer([signer]);
  const registry = createRegistry(loadToolsDir(toolsDir({ 'tools.yaml': TOOLS })).tools);
  const pipeline = createCallPipeline({
    registry,
    canUse,
    audit: sink.record,
    hashArgs: hashArguments,
    invokers: { http: createHttpInvoker({}) },
  });
  const auth = createAuthenticator({
    keys,
    jwt: createJwtVerifier({ issuer: idp.issuer, audience: 'http://nexus.test/mcp' }),
    rules: parseRules('access.yaml', RULES),
    allowAnonymous: true,
    resourceMetadataUrl: () => META,
  });
  const mcp = createMcpEndpoint({
    pipeline,
    registry,
    log: silentLogger,
    authenticate: (req) => auth.authenticate(req.headers),
    maxRequestBytes: 1 << 20,
    bodyTimeoutMs: 15_000,
  });
  server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: (req) => mcp.handle(req) });
  mcpUrl = new URL(`http://127.0.0.1:${server.port}/mcp`);
  issued.jira = (await keys.create('jira-agent', { tools: ['jira_*'] })).key;
  issued.crm = (await keys.create('crm-agent', { tools: ['crm_*'] })).key;
});
afterAll(async () => {
  await server.stop(true);
  await sink.close();
  await idp[Symbol.asyncDispose]();
  backend.stop();
  await store.close();
});

const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const listBody = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} });

describe('who may call what', () => {
  test('no credential is 401 with resource_metadata; a wrong key is 401 invalid_token', async () => {
    const none = await rawPost(mcpUrl, listBody);
    const wrong = await rawPost(mcpUrl, listBody, bearer(`nxs_${'B'.repeat(43)}`));
    expect([none.status, none.headers.get('www-authenticate'), wrong.status, wrong.headers.get('www-authenticate')]).toEqual([
      401,
      `Bearer resource_metadata="${META}"`,
      401,
      `Bearer resource_metadata="${META}", error="invalid_token"`,
    ]);
  });

  test('two keys with different scopes see different tool lists', async () => {
    const seen = [];
    for (const key of [issued.jira!, issued.crm!]) {
      const client = await connect(mcpUrl, REVISIONS[1]!, bearer(key));
      seen.push((await client.listTools()).tools.map((t) => t.name));
      await client.close();
    }
    expect(seen).toEqual([['jira_get', 'jira_boom'], ['crm_get']]);
  });

  test('a denied call and a call to a missing tool are indistinguishable and never reach a backend', async () => {
    const client = await connect(mcpUrl, REVISIONS[1]!, bearer(issued.jira!));
    const before = backend.requests.length;
    const denied = await client.callTool({ name: 'crm_get', arguments: {} }).catch((e) => e);
    const missing = await client.callTool({ name: 'crm_gone', arguments: {} }).catch((e) => e);
    await client.close();
    const shape = (e: { code: number; message: string }, name: string) => ({ code: e.code, message: e.message.replace(name, 'NAME') });
    expect(shape(denied, 'crm_get')).toEqual(shape(missing, 'crm_gone'));
    expect(backend.requests.length).toBe(before);
  });

  test('a token caller gets the tools its claims grant; a token granting none is 403', async () => {
    const crm = await idp.sign(signer, { sub: 'user-7', scope: 'openid crm' }, { audience: 'http://nexus.test/mcp' });
    const client = await connect(mcpUrl, REVISIONS[1]!, bearer(crm));
    const names = (await client.listTools()).tools.map((t) => t.name);
    await client.close();
    const useless = await idp.sign(signer, { sub: 'user-8', scope: 'openid' }, { audience: 'http://nexus.test/mcp' });
    const res = await rawPost(mcpUrl, listBody, bearer(useless));
    expect([names, res.status, res.headers.get('www-authenticate')]).toEqual([
      ['crm_get'],
      403,
      `Bearer resource_metadata="${META}", error="insufficient_scope"`,
    ]);
  });

  test('the audit trail shows allowed, denied and failed calls with the caller; no key is stored or forwarded', async () => {
    // a caller of its own, so earlier tests' rows cannot interleave with these
    const { key } = await keys.create('audit-agent', { tools: ['jira_*'] });
    const client = await connect(mcpUrl, REVISIONS[1]!, bearer(key));
    await client.callTool({ name: 'jira_get', arguments: {} });
    await client.callTool({ name: 'crm_get', arguments: {} }).catch(() => {});
    await client.callTool({ name: 'jira_boom', arguments: {} });
    await client.close();
    const audit = createAuditStore(store.db);
    await waitFor(async () => (await audit.query({ caller: 'key:audit-agent' })).length >= 3, 5000, 'three audit rows');
    const rows = await audit.query({ caller: 'key:audit-agent' });
    // calls within one millisecond have no defined order: compare as a set
    expect(rows.map((r) => [r.tool, r.outcome]).sort()).toEqual([
      ['crm_get', 'denied'],
      ['jira_boom', 'error'],
      ['jira_get', 'ok'],
    ]);
    const dump = await store.dump();
    const sent = JSON.stringify(backend.requests);
    expect([
      dump.includes(issued.jira!),
      dump.includes(issued.crm!),
      dump.includes(key),
      sent.includes(key),
      /authorization/i.test(sent),
    ]).toEqual([false, false, false, false, false]);
  });

  test('a revoked key is refused with 401', async () => {
    const { key } = await keys.create('short-lived', { tools: ['jira_*'] });
    expect((await rawPost(mcpUrl, listBody, bearer(key))).status).toBe(200);
    await keys.revoke('short-lived');
    expect((await rawPost(mcpUrl, listBody, bearer(key))).status).toBe(401);
  });
});
