// Every metric Nexus exports says what it counts: a `# HELP` line right before its `# TYPE` line.
import { expect, test } from 'bun:test';
import { Glob } from 'bun';
import { createMetrics, METRIC_HELP } from '../../../src/metrics.ts';

test('every nexus_ metric named in src/ has help text', async () => {
  const named = new Set<string>();
  for await (const f of new Glob('src/**/*.ts').scan({ cwd: new URL('../../../', import.meta.url).pathname, absolute: true })) {
    for (const m of (await Bun.file(f).text()).matchAll(/'(nexus_[a-z_]+_(?:total|seconds|pending|up))'/g)) named.add(m[1]!);
  }
  expect(named.size).toBeGreaterThan(5);
  expect([...named].filter((n) => !METRIC_HELP[n])).toEqual([]);
});

test('/metrics text puts HELP before TYPE for counters and histograms', () => {
  const m = createMetrics();
  m.inc('nexus_tool_calls_total', { tool: 't', outcome: 'ok' });
  m.observe('nexus_tool_call_seconds', 0.01, { tool: 't' });
  const lines = m.render().split('\n');
  for (const name of ['nexus_tool_calls_total', 'nexus_tool_call_seconds']) {
    const type = lines.findIndex((l) => l.startsWith(`# TYPE ${name} `));
    expect(lines[type - 1]).toBe(`# HELP ${name} ${METRIC_HELP[name]}`);
  }
});
