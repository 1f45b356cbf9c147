// Redis killed under running gateways: fail-open instances keep answering promptly (and count the
// outage), a fail-closed instance refuses promptly, and limits hold again once Redis is back.
// The tests run in order: up, killed, back.

import { afterAll, beforeAll, expect, test } from 'bun:test';
import type { Client } from '@modelcontextprotocol/client';
import { type SharedScope, sharedScope, type TestGateway, waitFor } from '../../helpers/gateway.ts';
import { type RedisChild, startRedisChild } from '../limiter/redis-fixture.ts';
import { call, clientsFor, closeAll, counter, crmTools, fanOut, refusalOf, rest, slowBackend, startReady } from './fixture.ts';

/** Not a benchmark: a generous bound that a call waiting on a dead Redis would overrun. */
const PROMPT_MS = 2000;

const backend = slowBackend();
let redis: RedisChild;
let openScope: SharedScope;
let closedScope: SharedScope;
let a: TestGateway;
let b: TestGateway;
let closed: TestGateway;
let clients: Client[];
let closedClient: Client;

beforeAll(async () => {
  [redis, openScope, closedScope] = await Promise.all([startRedisChild(), sharedScope(), sharedScope()]);
  const dir = crmTools(backend.url);
  // A gateway-wide caller limit puts every call, cached tools included, through the limiter.
  const env = { REDIS_URL: redis.url, NEXUS_CALLER_RATE_LIMIT: '1000/1m' };
  [a, b, closed] = await Promise.all([
    startReady({ toolsDir: dir, shared: openScope, env }),
    startReady({ toolsDir: dir, shared: openScope, env }),
    startReady({ toolsDir: dir, shared: closedScope, env: { ...env, NEXUS_RATE_LIMIT_FAIL_MODE: 'closed' } }),
  ]);
  clients = await clientsFor([a, b]);
  closedClient = (await clientsFor([closed]))[0]!;
});
afterAll(async () => {
  await closeAll([...(clients ?? []), ...(closedClient ? [closedClient] : [])]);
  for (const gw of [a, b, closed]) await gw?.stop();
  await redis?.stop();
  await openScope?.cleanup();
  await closedScope?.cleanup();
  backend.stop();
});

/** Runs one call and checks it settled within PROMPT_MS. */
async function promptly<T>(run: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const out = await run();
  expect(performance.now() - started).toBeLessThan(PROMPT_MS);
  return out;
}

/** True once the shared limiter refuses `client` again (each try spends one call of the 5/min budget). */
const refusesAgain = (client: Client) => async () => (await refusalOf(client, 'get_limited')) !== undefined;

test('with Redis up, two fail-open instances share one 5-per-minute budget', async () => {
  const outcomes = [];
  for (let i = 0; i < 6; i++) outcomes.push(await refusalOf(clients[i % clients.length]!, 'get_limited'));
  expect(outcomes.map((o) => (o as { data?: { code?: string } } | undefined)?.data?.code ?? 'ok')).toEqual([
    'ok',
    'ok',
    'ok',
    'ok',
    'ok',
    'RATE_LIMITED',
  ]);
  expect((await call(clients[0]!, 'get_contact', { id: 'C-0' })).source).toBe('backend');
  expect((await call(clients[3]!, 'get_contact', { id: 'C-0' })).source).toBe('cache');
});

test('with Redis killed mid-run, fail-open calls keep flowing, each completes promptly, and the outage is counted', async () => {
  const inflight = fanOut(clients, 8, (c) => promptly(() => call(c, 'get_ticket', { id: 'K-1' })));
  await waitFor(() => backend.hits('/crm/tickets/K-1') > 0, 5000, 'a slow call to reach the backend');
  await redis.stop(); // SIGKILL while a leader holds the coalescing lock and the others wait on it
  expect((await inflight).map((x) => x.value)).toEqual(Array(8).fill({ path: '/crm/tickets/K-1', as: 'nobody' }));

  const seen: unknown[] = [];
  for (let i = 0; i < 8; i++) {
    const client = clients[i % clients.length]!;
    seen.push((await promptly(() => call(client, 'get_contact', { id: `C-${i + 1}` }))).isError);
    // Over budget since the first test: only an unavailable limiter lets this through.
    seen.push(await promptly(() => refusalOf(client, 'get_limited')));
  }
  expect(seen).toEqual(Array(8).fill([false, undefined]).flat());
  // The cache is down too: an answer cached before the outage is fetched again, still promptly.
  expect((await promptly(() => call(clients[1]!, 'get_contact', { id: 'C-0' }))).source).toBe('backend');
  const overRest = await promptly(() => rest(b, 'get_limited'));
  expect({ status: overRest.status, source: overRest.source }).toEqual({ status: 200, source: 'backend' });
  for (const gw of [a, b]) expect(await counter([gw], 'nexus_rate_limiter_unavailable_total', { mode: 'open' })).toBeGreaterThan(0);
  expect(await counter([a, b], 'nexus_cache_unavailable_total')).toBeGreaterThan(0);
});

test('with Redis down, a fail-closed instance refuses calls promptly with UNAVAILABLE', async () => {
  expect(await promptly(() => refusalOf(closedClient, 'get_limited'))).toEqual({ code: -32054, data: { code: 'UNAVAILABLE' } });
  const overRest = await promptly(() => rest(closed, 'get_contact', { id: 'X-1' }));
  expect({ status: overRest.status, code: (overRest.body as { code: string }).code }).toEqual({ status: 503, code: 'UNAVAILABLE' });
  expect(await counter([closed], 'nexus_rate_limiter_unavailable_total', { mode: 'closed' })).toBe(2);
});

test('when Redis returns on the same port, limits hold again on every instance and fail-closed calls go through', async () => {
  await redis.start();
  await waitFor(refusesAgain(clients[0]!), 10_000, 'instance A to enforce the limit again');
  await waitFor(refusesAgain(clients[2]!), 10_000, 'instance B to enforce the limit again');
  await waitFor(
    async () => (await refusalOf(closedClient, 'get_limited')) === undefined,
    10_000,
    'the fail-closed instance to accept calls',
  );
});
