// /openapi.json shows a caller only the tools it may use once authentication is configured, and
// /metrics can require a bearer token (NEXUS_METRICS_TOKEN).
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { SIGN_IN_HINT } from '../../../src/http/openapi.ts';
import { startBackend } from '../../helpers/backend.ts';
import { startGateway, type TestGateway, toolsDir } from '../../helpers/gateway.ts';

const backend = startBackend();
const TOOLS = `
backend: { base_url: "${backend.url}" }
tools:
  - { name: jira_get_issue, description: Fetch an issue., request: { method: GET, path: /issue } }
  - { name: crm_find_contact, description: Find a contact., request: { method: GET, path: /contact } }
`;

let gw: TestGateway;
beforeAll(async () => {
  gw = await startGateway({ toolsDir: toolsDir({ 't.yaml': TOOLS }), env: { NEXUS_METRICS_TOKEN: 'metrics-token-for-test' } });
});
afterAll(async () => {
  await gw.stop();
  backend.stop();
});

const toolPaths = (doc: { paths: Record<string, unknown> }) => Object.keys(doc.paths).filter((p) => p.startsWith('/api/tools/'));
const openapi = async (headers: Record<string, string> = {}) => {
  const r = await fetch(`${gw.url}/openapi.json`, { headers });
  return { status: r.status, body: (await r.json()) as { paths: Record<string, unknown>; info: { description?: string } } };
};

test('anonymous mode (no key, loopback) lists every tool', async () => {
  const r = await openapi();
  expect([r.status, toolPaths(r.body)]).toEqual([200, ['/api/tools/crm_find_contact', '/api/tools/jira_get_issue']]);
});

test('with keys, a key confined to one tool sees one tool, no credential sees none and how to authorise, a bad key gets 401', async () => {
  const jira = (await gw.app.services.keys.create('jira-only', { tools: ['jira_*'] })).key;
  const all = (await gw.app.services.keys.create('everything', { tools: ['*'] })).key;
  const confined = await openapi({ authorization: `Bearer ${jira}` });
  const full = await openapi({ authorization: `Bearer ${all}` });
  const none = await openapi();
  const bad = await fetch(`${gw.url}/openapi.json`, { headers: { authorization: 'Bearer nxs_not-a-real-key' } });
  expect({
    confined: toolPaths(confined.body),
    full: toolPaths(full.body),
    none: [none.status, toolPaths(none.body), none.body.info.description],
    bad: bad.status,
  }).toEqual({
    confined: ['/api/tools/jira_get_issue'],
    full: ['/api/tools/crm_find_contact', '/api/tools/jira_get_issue'],
    none: [200, [], SIGN_IN_HINT],
    bad: 401,
  });
});

test('/metrics answers 401 without the metrics token and the metrics with it', async () => {
  const without = await fetch(`${gw.url}/metrics`);
  const wrong = await fetch(`${gw.url}/metrics`, { headers: { authorization: 'Bearer nope' } });
  const right = await fetch(`${gw.url}/metrics`, { headers: { authorization: 'Bearer metrics-token-for-test' } });
  expect({
    without: [without.status, without.headers.get('www-authenticate')],
    wrong: wrong.status,
    right: [right.status, right.headers.get('content-type')?.startsWith('text/plain')],
  }).toEqual({ without: [401, 'Bearer'], wrong: 401, right: [200, true] });
});
