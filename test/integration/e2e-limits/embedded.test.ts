// The same acceptance on one embedded gateway (no PostgreSQL, no Redis): identical calls coalesce inside
// the instance and a 5-per-minute limit lets exactly 5 of 12 through.

import { afterAll, beforeAll, expect, test } from 'bun:test';
import type { Client } from '@modelcontextprotocol/client';
import type { TestGateway } from '../../helpers/gateway.ts';
import { call, clientsFor, closeAll, crmTools, fanOut, refusalOf, rest, slowBackend, sources, startReady } from './fixture.ts';

const backend = slowBackend();
let gw: TestGateway;
let clients: Client[];

beforeAll(async () => {
  gw = await startReady({ toolsDir: crmTools(backend.url) });
  clients = await clientsFor([gw]);
});
afterAll(async () => {
  await closeAll(clients ?? []);
  await gw?.stop();
  backend.stop();
});

test('the embedded gateway runs without PostgreSQL or Redis', async () => {
  const ready = await (await fetch(`${gw.url}/readyz`)).json();
  expect(ready).toEqual({ status: 'ready', checks: { tools: '8 loaded', store: 'ok' } });
  expect(gw.app.services.redis).toBeUndefined();
});

test('ten concurrent identical calls over both revisions reach the backend once, and an eleventh is a cache hit', async () => {
  const answers = await fanOut(clients, 10, (c) => call(c, 'get_ticket', { id: 'E-1' }));
  const ticket = { path: '/crm/tickets/E-1', as: 'nobody' };
  expect(answers.map((x) => x.value)).toEqual(Array(10).fill(ticket));
  expect(sources(answers)).toEqual({ backend: 1, coalesced: 9 });
  expect(backend.hits('/crm/tickets/E-1')).toBe(1);
  const overRest = await rest(gw, 'get_ticket', { id: 'E-1' });
  expect({ status: overRest.status, source: overRest.source, body: overRest.body }).toEqual({ status: 200, source: 'cache', body: ticket });
  expect(await call(clients[1]!, 'get_ticket', { id: 'E-2' })).toEqual({
    source: 'backend',
    isError: false,
    value: { path: '/crm/tickets/E-2', as: 'nobody' },
  });
});

test('a limit of 5 per minute lets exactly 5 of 12 concurrent calls through; the rest say which limit and when', async () => {
  const outcomes = await fanOut(clients, 12, (c) => refusalOf(c, 'get_limited'));
  expect(outcomes.filter((o) => o === undefined).length).toBe(5);
  expect(outcomes.filter((o) => o !== undefined)).toEqual(
    Array(7).fill({ code: -32029, data: { code: 'RATE_LIMITED', limit: 'tool:get_limited', retryAfter: expect.any(Number) } }),
  );
  expect(backend.hits('/crm/limited')).toBe(5);
  const overRest = await rest(gw, 'get_limited');
  expect({ status: overRest.status, retryAfter: Number(overRest.retryAfter) > 0 }).toEqual({ status: 429, retryAfter: true });
});
