// Two instances sharing PostgreSQL and Redis; instance A reaches PostgreSQL through a proxy the test
// freezes (a SIGSTOPped server, as a client sees it). Calls authenticated with a client key and using
// a credential never hang: A answers from what it read in the last moments, a key revoked on B is
// refused by A at once, what A cannot know is a prompt error, and /readyz answers 503.
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { startBackend } from '../../helpers/backend.ts';
import {
  type SharedScope,
  sharedScope,
  startGateway,
  TEST_DATABASE_URL,
  type TestGateway,
  toolsDir,
  waitFor,
} from '../../helpers/gateway.ts';
import { startTcpProxy } from '../../helpers/tcp-proxy.ts';

const backend = startBackend((req) => Response.json({ authorized: req.headers.get('authorization')?.startsWith('Bearer ') ?? false }));
const TOOLS = `
backend: { base_url: "${backend.url}", auth: { type: bearer, credential: api-token } }
tools:
  - name: whoami
    description: Needs a credential.
    request: { method: GET, path: /me }
  - name: other
    description: Needs another credential, not used before the outage.
    auth: { type: bearer, credential: other-token }
    request: { method: GET, path: /other }
`;

const pg = new URL(TEST_DATABASE_URL);
const proxy = startTcpProxy({ host: pg.hostname, port: Number(pg.port || 5432) });
const viaProxy = Object.assign(new URL(TEST_DATABASE_URL), { host: `127.0.0.1:${proxy.port}` }).toString();

let scope: SharedScope;
let a: TestGateway;
let b: TestGateway;
const keys: Record<string, string> = {};
beforeAll(async () => {
  scope = await sharedScope();
  const dir = toolsDir({ 't.yaml': TOOLS });
  b = await startGateway({ toolsDir: dir, shared: scope });
  a = await startGateway({ toolsDir: dir, shared: scope, env: { DATABASE_URL: viaProxy, NEXUS_DB_TIMEOUT: '500ms' } });
  for (const name of ['alice', 'bob']) keys[name] = (await b.app.services.keys.create(name)).key;
  for (const name of ['api-token', 'other-token']) await b.app.services.vault.put(name, 'bearer', { token: crypto.randomUUID() });
});
afterAll(async () => {
  proxy.resume();
  await a.stop();
  await b.stop();
  proxy.stop();
  backend.stop();
  await scope.cleanup();
});

const call = (g: TestGateway, tool: string, key: string) =>
  fetch(`${g.url}/api/tools/${tool}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: '{}',
  });
const answer = async (r: Response) => [r.status, await r.json()];

test('with PostgreSQL frozen, a known key and a recent credential still answer, and /readyz is 503', async () => {
  await waitFor(async () => (await call(a, 'whoami', keys.bob!)).status === 200, 5000, 'the new keys known on a');
  for (const k of ['alice', 'bob']) expect(await answer(await call(a, 'whoami', keys[k]!))).toEqual([200, { authorized: true }]);
  proxy.pause();
  // past the second in which A reuses what it read without asking, it is served from memory: every call answers
  await waitFor(
    async () => {
      expect(await answer(await call(a, 'whoami', keys.alice!))).toEqual([200, { authorized: true }]);
      return (await a.app.metrics.render()).includes('nexus_store_stale_total{kind="key"}');
    },
    5000,
    'a key served from memory',
  );
  expect(await answer(await call(a, 'whoami', keys.alice!))).toEqual([200, { authorized: true }]);
  const ready = await fetch(`${a.url}/readyz`);
  expect([ready.status, ((await ready.json()) as { checks: { store: string } }).checks.store]).toEqual([
    503,
    'PostgreSQL did not answer within 500ms (statement)',
  ]);
});

test('a key revoked on another instance is refused at once by the instance that cannot reach PostgreSQL', async () => {
  await b.app.services.keys.revoke('bob');
  await waitFor(async () => (await call(a, 'whoami', keys.bob!)).status === 401, 1000, 'bob refused on a');
  expect((await call(a, 'whoami', keys.alice!)).status).toBe(200);
});

test('what the frozen instance never read is a prompt 503, not a hang: a new key, an unused credential', async () => {
  const carol = (await b.app.services.keys.create('carol')).key;
  // once a hears of the new key (at once over Redis) it cannot verify it without the store
  const r = await waitFor(async () => {
    const got = await call(a, 'whoami', carol);
    return got.status !== 401 && got;
  });
  expect([r.status, ((await r.json()) as { code: string }).code]).toEqual([503, 'UNAVAILABLE']);
  const other = await call(a, 'other', keys.alice!);
  const body = (await other.json()) as { code: string; detail: string };
  expect([other.status, body.code, body.detail]).toEqual([503, 'UNAVAILABLE', 'PostgreSQL did not answer within 500ms (statement)']);
});

test('when PostgreSQL answers again, the instance is ready and reads fresh state', async () => {
  proxy.resume();
  await waitFor(async () => (await fetch(`${a.url}/readyz`)).status === 200, 5000, 'ready again');
  expect((await call(a, 'whoami', keys.bob!)).status).toBe(401);
  expect((await call(a, 'other', keys.alice!)).status).toBe(200);
});
