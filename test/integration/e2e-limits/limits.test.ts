// Two gateways sharing PostgreSQL and Redis enforce one budget: a per-caller tool limit and a
// backend-wide limit allow exactly what is declared across both, and a refusal says which limit and when.
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { type Cluster, crmTools, fanOut, type Refusal, refusalOf, rest, slowBackend, startCluster } from './fixture.ts';

const backend = slowBackend();
let cluster: Cluster;

beforeAll(async () => {
  cluster = await startCluster(crmTools(backend.url));
});
afterAll(async () => {
  await cluster?.stop();
  backend.stop();
});

/** GCRA at 5/min frees one call every 12s, so a refused caller is told to wait between 1 and 12s. */
const retryAfter = (r: Refusal | undefined) => (r?.data as { retryAfter?: number } | undefined)?.retryAfter ?? 0;
const refusedShape = (limit: string) => ({ code: -32029, data: { code: 'RATE_LIMITED', limit, retryAfter: expect.any(Number) } });

test('a limit of 5 per minute per caller lets exactly 5 of 12 concurrent calls through across both instances', async () => {
  const outcomes = await fanOut(cluster.alice, 12, (c) => refusalOf(c, 'get_limited'));
  const refused = outcomes.filter((o) => o !== undefined);
  expect(outcomes.length - refused.length).toBe(5);
  expect(backend.hits('/crm/limited')).toBe(5);
  expect(refused).toEqual(Array(7).fill(refusedShape('tool:get_limited')));
  for (const r of refused) expect(retryAfter(r)).toBeWithin(1, 13);
});

test('over REST a refused call is a 429 with Retry-After and a problem that names the limit', async () => {
  const r = await rest(cluster.b, 'get_limited', {}, cluster.auth.alice);
  expect(r).toEqual({
    status: 429,
    source: null,
    retryAfter: expect.stringMatching(/^\d+$/),
    body: {
      type: 'https://nexus.dev/problems/rate-limited',
      title: 'Too Many Requests',
      status: 429,
      detail: expect.any(String),
      code: 'RATE_LIMITED',
      limit: 'tool:get_limited',
      retryAfter: Number(r.retryAfter),
    },
  });
  expect(Number(r.retryAfter)).toBeWithin(1, 13);
  expect(backend.hits('/crm/limited')).toBe(5);
});

test('a per-caller limit is per caller: another caller still has its own 5', async () => {
  const outcomes = [];
  for (let i = 0; i < 6; i++) outcomes.push(await refusalOf(cluster.bob[i % cluster.bob.length]!, 'get_limited'));
  expect(outcomes).toEqual([undefined, undefined, undefined, undefined, undefined, refusedShape('tool:get_limited')]);
  expect(backend.hits('/crm/limited')).toBe(10);
});

test('a backend-wide limit counts all callers together', async () => {
  const both = await Promise.all([
    fanOut(cluster.alice, 6, (c) => refusalOf(c, 'get_quota')),
    fanOut(cluster.bob, 6, (c) => refusalOf(c, 'get_quota')),
  ]);
  const all = both.flat();
  expect(all.filter((o) => o === undefined).length).toBe(5);
  expect(backend.hits('/quota/read')).toBe(5);
  expect(all.filter((o) => o !== undefined)).toEqual(Array(7).fill(refusedShape(`backend:${backend.url}/quota`)));
});
