// /metrics after real calls: per-tool call counts by outcome, latency histograms, backend errors, cache
// hits/misses/coalesced and rate-limit refusals.
import { afterAll, beforeAll, expect, test } from 'bun:test';
import type { Client } from '@modelcontextprotocol/client';
import { startBackend } from '../../helpers/backend.ts';
import { startGateway, type TestGateway, toolsDir, waitFor } from '../../helpers/gateway.ts';
import { connect, REVISIONS } from '../../helpers/mcp-client.ts';
import { deadPort } from './fixture.ts';

let gw: TestGateway;
let client: Client;
const metricsText = async () => (await fetch(`${gw.url}/metrics`)).text();
/** One sample per `name{labels}` series. */
const samples = (text: string) =>
  Object.fromEntries(
    text
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => [l.slice(0, l.lastIndexOf(' ')), Number(l.slice(l.lastIndexOf(' ') + 1))]),
  );

// The coalesced tool's backend answers only once all three callers have missed the cache and queued.
const backend = startBackend(async (_req, url) => {
  if (url.pathname === '/coalesced') {
    await waitFor(
      async () => samples(await metricsText())['nexus_cache_misses_total{tool="metrics_coalesced"}'] === 3,
      5000,
      'three cache misses',
    );
  }
  return Response.json({ path: url.pathname });
});
const downPort = deadPort();

beforeAll(async () => {
  gw = await startGateway({
    toolsDir: toolsDir({
      'metrics.yaml': `
backend:
  base_url: ${backend.url}
  timeout: 5s
tools:
  - name: metrics_cached
    description: Cached.
    request: { method: GET, path: /cached }
    cache: { ttl: 1m }
  - name: metrics_coalesced
    description: Cached; identical concurrent calls share one backend call.
    request: { method: GET, path: /coalesced }
    cache: { ttl: 1m }
  - name: metrics_limited
    description: One call a minute.
    request: { method: GET, path: /limited }
    rate_limit: { requests: 1, per: 1m }
  - name: metrics_down
    description: Its backend is down.
    backend: { base_url: "http://127.0.0.1:${downPort}" }
    request: { method: GET, path: /down }
`,
    }),
  });
  client = await connect(gw.mcpUrl, REVISIONS[0]!);
});
afterAll(async () => {
  await client?.close();
  await gw?.stop();
  backend.stop();
});

test('/metrics counts calls by tool and outcome, latency buckets, backend errors, cache and limiter decisions', async () => {
  const call = (name: string) =>
    client.callTool({ name, arguments: {} }).then(
      (r) => (r.isError ? 'isError' : 'ok'),
      () => 'refused',
    );
  const outcomes = {
    cached: [await call('metrics_cached'), await call('metrics_cached')],
    coalesced: await Promise.all([call('metrics_coalesced'), call('metrics_coalesced'), call('metrics_coalesced')]),
    limited: [await call('metrics_limited'), await call('metrics_limited')],
    down: await call('metrics_down'),
  };
  const s = samples(await metricsText());
  const pick = (keys: string[]) => Object.fromEntries(keys.map((k) => [k, s[k]]));
  expect({
    outcomes,
    backendRequests: backend.requests.map((r) => r.path).sort(),
    series: pick([
      'nexus_tool_calls_total{outcome="ok",tool="metrics_cached"}',
      'nexus_tool_calls_total{outcome="ok",tool="metrics_coalesced"}',
      'nexus_tool_calls_total{outcome="ok",tool="metrics_limited"}',
      'nexus_tool_calls_total{outcome="limited",tool="metrics_limited"}',
      'nexus_tool_calls_total{outcome="error",tool="metrics_down"}',
      'nexus_backend_errors_total{code="UPSTREAM_UNREACHABLE",tool="metrics_down"}',
      'nexus_cache_misses_total{tool="metrics_cached"}',
      'nexus_cache_hits_total{tool="metrics_cached"}',
      'nexus_cache_misses_total{tool="metrics_coalesced"}',
      'nexus_cache_coalesced_total{tool="metrics_coalesced"}',
      'nexus_tool_call_seconds_bucket{tool="metrics_cached",le="+Inf"}',
      'nexus_tool_call_seconds_count{tool="metrics_cached"}',
    ]),
  }).toEqual({
    outcomes: { cached: ['ok', 'ok'], coalesced: ['ok', 'ok', 'ok'], limited: ['ok', 'refused'], down: 'isError' },
    backendRequests: ['/cached', '/coalesced', '/limited'],
    series: {
      'nexus_tool_calls_total{outcome="ok",tool="metrics_cached"}': 2,
      'nexus_tool_calls_total{outcome="ok",tool="metrics_coalesced"}': 3,
      'nexus_tool_calls_total{outcome="ok",tool="metrics_limited"}': 1,
      'nexus_tool_calls_total{outcome="limited",tool="metrics_limited"}': 1,
      'nexus_tool_calls_total{outcome="error",tool="metrics_down"}': 1,
      'nexus_backend_errors_total{code="UPSTREAM_UNREACHABLE",tool="metrics_down"}': 1,
      'nexus_cache_misses_total{tool="metrics_cached"}': 1,
      'nexus_cache_hits_total{tool="metrics_cached"}': 1,
      'nexus_cache_misses_total{tool="metrics_coalesced"}': 3,
      'nexus_cache_coalesced_total{tool="metrics_coalesced"}': 2,
      'nexus_tool_call_seconds_bucket{tool="metrics_cached",le="+Inf"}': 2,
      'nexus_tool_call_seconds_count{tool="metrics_cached"}': 2,
    },
  });
});
