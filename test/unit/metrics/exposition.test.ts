// /metrics follows the Prometheus text exposition format from the first scrape: HELP and TYPE for
// every family, escaped label values, build info and the standard process metrics.
import { expect, test } from 'bun:test';
import { Glob } from 'bun';
import { createMetrics, METRICS } from '../../../src/metrics.ts';

test('every nexus_ metric named in src/ is a row of the METRICS table', async () => {
  const named = new Set<string>();
  for await (const f of new Glob('src/**/*.ts').scan({ cwd: new URL('../../../', import.meta.url).pathname, absolute: true })) {
    for (const m of (await Bun.file(f).text()).matchAll(/'(nexus_[a-z_]+)'/g)) named.add(m[1]!);
  }
  expect(named.size).toBeGreaterThan(5);
  expect([...named].filter((n) => !(n in METRICS))).toEqual([]);
});

test('metric names are a typed union: an unknown name or the wrong kind does not compile', () => {
  const m = createMetrics();
  // @ts-expect-error not a metric
  m.inc('nexus_made_up_total');
  // @ts-expect-error a histogram is observed, not incremented
  m.inc('nexus_tool_call_seconds');
  // @ts-expect-error a counter is not a gauge
  m.set('nexus_tool_calls_total', 1);
  expect(Object.keys(METRICS).length).toBeGreaterThan(5);
});

test('label values escape backslash, double quote and newline instead of replacing them', () => {
  const m = createMetrics();
  m.inc('nexus_tool_calls_total', { tool: 'a\\b"c\nd', outcome: 'ok' });
  expect(m.render().split('\n')).toContain('nexus_tool_calls_total{outcome="ok",tool="a\\\\b\\"c\\nd"} 1');
});

test('the first scrape has build info, the process metrics, and HELP right before TYPE for every family', () => {
  const m = createMetrics({ build: { version: '1.2.3', commit: 'abc1234' } });
  m.observe('nexus_tool_call_seconds', 0.01, { tool: 't' });
  const lines = m.render().split('\n');
  const families = lines.filter((l) => l.startsWith('# TYPE ')).map((l) => l.slice(7));
  expect(families).toEqual([
    'nexus_build_info gauge',
    'nexus_tool_call_seconds histogram',
    'process_cpu_seconds_total counter',
    'process_resident_memory_bytes gauge',
    'process_start_time_seconds gauge',
    'process_open_fds gauge',
  ]);
  for (const f of families) {
    const i = lines.indexOf(`# TYPE ${f}`);
    expect(lines[i - 1]).toStartWith(`# HELP ${f.split(' ')[0]} `);
  }
  expect(lines).toContain('nexus_build_info{commit="abc1234",version="1.2.3"} 1');
  const value = (name: string) => Number(lines.find((l) => l.startsWith(`${name} `))!.split(' ')[1]);
  expect(value('process_resident_memory_bytes')).toBeGreaterThan(1024 * 1024);
  expect(value('process_open_fds')).toBeGreaterThan(2);
  expect(Math.abs(value('process_start_time_seconds') - (Date.now() / 1000 - process.uptime()))).toBeLessThan(5);
  expect(value('process_cpu_seconds_total')).toBeGreaterThan(0);
});
