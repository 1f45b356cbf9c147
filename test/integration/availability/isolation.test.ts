// Admission control: each backend has its own budget of calls in flight; calls beyond it are refused
// at once (OVERLOADED: MCP error, REST 503 + Retry-After) instead of queueing into their timeout, and
// a saturated slow backend leaves the others their slots.
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { ANONYMOUS } from '../../../src/caller.ts';
import type { NexusError } from '../../../src/errors.ts';
import { startBackend } from '../../helpers/backend.ts';
import { startGateway, type TestGateway, toolsDir, waitFor } from '../../helpers/gateway.ts';
import { connect, REVISIONS } from '../../helpers/mcp-client.ts';
import { gate } from '../../unit/cache/contract.ts';

let held = gate();
let inFlight = 0;
const slow = startBackend(async () => {
  inFlight++;
  await held.promise;
  inFlight--;
  return Response.json({ slow: true });
});
const fast = startBackend(() => Response.json({ fast: true }));

const TOOLS = `
tools:
  - name: slow_get
    description: A backend that answers when the test says so.
    backend: { base_url: "${slow.url}/a", timeout: 5s }
    request: { method: GET, path: /x }
  - name: small_get
    description: The same slow backend, another base path, with a budget of 3.
    backend: { base_url: "${slow.url}/b", timeout: 5s, max_concurrency: 3 }
    request: { method: GET, path: /x }
  - name: fast_get
    description: Another backend, fast.
    backend: { base_url: "${fast.url}", timeout: 1s }
    request: { method: GET, path: /y }
`;

let gw: TestGateway;
beforeAll(async () => {
  gw = await startGateway({ toolsDir: toolsDir({ 't.yaml': TOOLS }) });
});
afterAll(async () => {
  held.open();
  await gw.stop();
  slow.stop();
  fast.stop();
});

const call = (name: string) => gw.app.pipeline.call(name, {}, ANONYMOUS);
type Tally = Record<string, number>;
const count = (t: Tally, k: string) => void (t[k] = (t[k] ?? 0) + 1);

test('1,000 concurrent calls to a slow backend: its budget of 64 is called, the rest refused at once, none times out', async () => {
  held = gate();
  const tally: Tally = {};
  const calls = Array.from({ length: 1000 }, () =>
    call('slow_get').then(
      (o) => count(tally, o.result.isError ? `error:${o.error?.code}` : 'ok'),
      (e: NexusError) => count(tally, e.code),
    ),
  );
  // every refusal has come back while the admitted calls are still held by the backend
  await waitFor(() => tally.OVERLOADED === 936 && inFlight === 64, 10_000, '936 refusals with 64 calls in flight');
  held.open();
  await Promise.all(calls);
  expect(tally).toEqual({ ok: 64, OVERLOADED: 936 });
});

test('with 300 slow calls in flight, a tool on another backend answers', async () => {
  held = gate();
  const slowCalls = Array.from({ length: 300 }, () => call('slow_get').catch((e: NexusError) => e.code));
  await waitFor(() => inFlight === 64, 10_000, 'the slow backend saturated');
  const outcome = await call('fast_get');
  expect({ isError: outcome.result.isError, json: outcome.result.json }).toEqual({ isError: false, json: { fast: true } });
  held.open();
  const codes = (await Promise.all(slowCalls)).filter((c) => typeof c === 'string');
  expect(codes).toEqual(Array(236).fill('OVERLOADED'));
});

test('a call over a backend budget is a REST 503 with Retry-After and an MCP error with retryAfter', async () => {
  held = gate();
  const admitted = [1, 2, 3].map(() => call('small_get'));
  await waitFor(() => inFlight === 3, 5000, 'three calls in flight');
  const rest = await fetch(`${gw.url}/api/tools/small_get`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  const body = (await rest.json()) as Record<string, unknown>;
  expect({ status: rest.status, retryAfter: rest.headers.get('retry-after'), code: body.code, budget: body.budget }).toEqual({
    status: 503,
    retryAfter: '1',
    code: 'OVERLOADED',
    budget: 'backend',
  });
  for (const revision of REVISIONS) {
    const client = await connect(gw.mcpUrl, revision);
    const err = (await client.callTool({ name: 'small_get', arguments: {} }).catch((e) => e)) as { code: number; data: unknown };
    expect({ code: err.code, data: err.data }).toEqual({ code: -32055, data: { code: 'OVERLOADED', retryAfter: 1, budget: 'backend' } });
    await client.close();
  }
  held.open();
  expect((await Promise.all(admitted)).map((o) => o.result.isError)).toEqual([false, false, false]);
  expect(gw.app.metrics.render()).toContain(`nexus_backend_shed_total{backend="${slow.url}/b",budget="backend"} 3`);
});
