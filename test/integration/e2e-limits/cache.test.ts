// Two gateways sharing PostgreSQL and Redis: identical calls coalesce into one backend request, answers
// are cached per tool, arguments and credential identity, and neither writes nor errors are cached.
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { randomBytes } from 'node:crypto';
import type { TestGateway } from '../../helpers/gateway.ts';
import { type Cluster, call, counter, crmTools, fanOut, rest, slowBackend, sources, startCluster } from './fixture.ts';

const tokens: Record<string, string> = {};
const backend = slowBackend(tokens);
let cluster: Cluster;
let a: TestGateway;
let b: TestGateway;

beforeAll(async () => {
  cluster = await startCluster(crmTools(backend.url));
  ({ a, b } = cluster);
  const shared = randomBytes(16).toString('hex');
  const own = randomBytes(16).toString('hex');
  Object.assign(tokens, { [shared]: 'shared', [own]: 'alice' });
  await a.app.services.vault.put('crm', 'bearer', { token: shared });
  await a.app.services.vault.put('crm', 'bearer', { token: own }, 'key:alice');
});
afterAll(async () => {
  await cluster?.stop();
  backend.stop();
});

test('ten concurrent identical calls over both instances reach the backend once, and an eleventh is served from the cache', async () => {
  const answers = await fanOut(cluster.alice, 10, (c) => call(c, 'get_ticket', { id: 'T-1' }));
  expect(backend.hits('/crm/tickets/T-1')).toBe(1);
  const ticket = { path: '/crm/tickets/T-1', as: 'nobody' };
  expect(answers.map((x) => x.value)).toEqual(Array(10).fill(ticket));
  const bySource = sources(answers);
  expect(bySource.backend).toBe(1);
  expect((bySource.coalesced ?? 0) + (bySource.cache ?? 0)).toBe(9);

  expect(await call(cluster.bob[3]!, 'get_ticket', { id: 'T-1' })).toEqual({ source: 'cache', isError: false, value: ticket });
  const overRest = await rest(a, 'get_ticket', { id: 'T-1' }, cluster.auth.alice);
  expect({ status: overRest.status, source: overRest.source, body: overRest.body }).toEqual({ status: 200, source: 'cache', body: ticket });
  expect(backend.hits('/crm/tickets/T-1')).toBe(1);

  const labels = { tool: 'get_ticket' };
  expect({
    hits: await counter([a, b], 'nexus_cache_hits_total', labels),
    misses: await counter([a, b], 'nexus_cache_misses_total', labels),
    coalesced: await counter([a, b], 'nexus_cache_coalesced_total', labels),
  }).toEqual({ hits: (bySource.cache ?? 0) + 2, misses: 10 - (bySource.cache ?? 0), coalesced: bySource.coalesced ?? 0 });
});

test('different arguments go to the backend', async () => {
  expect(await call(cluster.alice[0]!, 'get_ticket', { id: 'T-2' })).toEqual({
    source: 'backend',
    isError: false,
    value: { path: '/crm/tickets/T-2', as: 'nobody' },
  });
  expect(await call(cluster.alice[2]!, 'get_ticket', { id: 'T-2' })).toEqual({
    source: 'cache',
    isError: false,
    value: { path: '/crm/tickets/T-2', as: 'nobody' },
  });
  expect(backend.hits('/crm/tickets/T-2')).toBe(1);
});

test('a caller with a per-user credential never gets an answer fetched with another credential, and the same caller again is a hit', async () => {
  const mine = { path: '/crm/accounts/A-1', as: 'alice' };
  const theirs = { path: '/crm/accounts/A-1', as: 'shared' };
  expect(await call(cluster.alice[0]!, 'get_account', { id: 'A-1' })).toEqual({ source: 'backend', isError: false, value: mine });
  expect(await call(cluster.bob[2]!, 'get_account', { id: 'A-1' })).toEqual({ source: 'backend', isError: false, value: theirs });
  expect(await call(cluster.alice[3]!, 'get_account', { id: 'A-1' })).toEqual({ source: 'cache', isError: false, value: mine });
  expect(await call(cluster.bob[1]!, 'get_account', { id: 'A-1' })).toEqual({ source: 'cache', isError: false, value: theirs });
  expect(backend.hits('/crm/accounts/A-1')).toBe(2);
  const logs = [...a.logs, ...b.logs].join('\n');
  for (const token of Object.keys(tokens)) expect(logs).not.toContain(token);
});

test('a POST tool with a cache is not cached unless it allows write methods', async () => {
  for (const c of [cluster.alice[0]!, cluster.alice[2]!]) expect((await call(c, 'add_note', { text: 'hi' })).source).toBe('backend');
  expect(backend.hits('/crm/notes')).toBe(2);
  expect((await call(cluster.alice[0]!, 'find_notes', { text: 'hi' })).source).toBe('backend');
  expect((await call(cluster.alice[2]!, 'find_notes', { text: 'hi' })).source).toBe('cache');
  expect(backend.hits('/crm/notes/search')).toBe(1);
});

test('a backend error is not cached: the next identical call goes to the backend again', async () => {
  for (const c of [cluster.alice[0]!, cluster.alice[2]!]) {
    const r = await call(c, 'get_broken', { id: 'B-1' });
    expect({ source: r.source, isError: r.isError }).toEqual({ source: 'backend', isError: true });
  }
  expect(backend.hits('/crm/broken/B-1')).toBe(2);
});
