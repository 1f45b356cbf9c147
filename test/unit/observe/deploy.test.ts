// deploy/grafana and deploy/prometheus name only metrics Nexus exports, and promtool accepts them: the
// alert rules (check + their unit tests) and every dashboard query (parsed as a recording rule).
import { describe, expect, test } from 'bun:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Glob } from 'bun';
import { parse } from 'yaml';
import { METRICS } from '../../../src/metrics.ts';
import { tempDir } from '../../helpers/gateway.ts';

const root = new URL('../../../', import.meta.url).pathname;
const dashboard = JSON.parse(await Bun.file(join(root, 'deploy/grafana/nexus-dashboard.json')).text());
const rulesText = await Bun.file(join(root, 'deploy/prometheus/nexus-alerts.yml')).text();
const rules = parse(rulesText) as { groups: Array<{ name: string; rules: Array<Record<string, unknown>> }> };

type Panel = { id: number; type: string; title: string; datasource?: { uid: string }; targets?: Array<{ expr: string; refId: string }> };
const panels = dashboard.panels as Panel[];
const queries = panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));
const alerts = rules.groups.flatMap((g) => g.rules);

/** nexus_ metric names a PromQL expression reads (histogram series by their metric's name). */
const metricsOf = (expr: string) => [...expr.matchAll(/\bnexus_[a-z_]+/g)].map((m) => m[0].replace(/_(bucket|sum|count)$/, ''));

// Quoted metric names in src/ other than the help table: what some code really records
const recorded = new Set<string>();
for await (const f of new Glob('src/**/*.ts').scan({ cwd: root, absolute: true })) {
  if (f.endsWith('src/metrics.ts')) continue;
  for (const m of (await Bun.file(f).text()).matchAll(/'(nexus_[a-z_]+)'/g)) recorded.add(m[1]!);
}

const promtool = Bun.which('promtool');
const run = (args: string[], cwd: string) => {
  const p = Bun.spawnSync([promtool!, ...args], { cwd, stdout: 'pipe', stderr: 'pipe' });
  return { code: p.exitCode, out: `${p.stdout}${p.stderr}` };
};

describe('the Grafana dashboard', () => {
  test('covers calls, latency, cache, limits, backends, vault and tokens, audit and dependencies', () => {
    expect(panels.filter((p) => p.type === 'row').map((p) => p.title)).toEqual([
      'Calls',
      'Cache and coalescing',
      'Rate limits',
      'Backends',
      'Vault and tokens',
      'Audit and dependencies',
    ]);
  });

  test('every query names metrics that Nexus records', () => {
    const used = new Set(queries.flatMap((q) => metricsOf(q.expr)));
    expect([...used].filter((m) => !(m in METRICS) || !recorded.has(m))).toEqual([]);
    expect(queries.filter((q) => !metricsOf(q.expr).length)).toEqual([]);
  });

  test('panels have unique ids and the datasource variable', () => {
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
    expect(panels.filter((p) => p.type !== 'row' && p.datasource?.uid !== '${datasource}').map((p) => p.title)).toEqual([]);
  });

  test('promtool parses every query', () => {
    expect(promtool).toBeString(); // .ci/run installs Debian's prometheus package for it
    const dir = tempDir('nexus-promql-');
    const asRules = queries.map((q, i) => ({
      record: `dashboard:query_${i}`,
      expr: q.expr.replaceAll('$__rate_interval', '5m').replaceAll('$instance', '.*'),
    }));
    writeFileSync(join(dir, 'queries.yml'), JSON.stringify({ groups: [{ name: 'dashboard', rules: asRules }] }));
    const r = run(['check', 'rules', 'queries.yml'], dir);
    expect(r.out).toContain(`SUCCESS: ${queries.length} rules found`);
    expect(r.code).toBe(0);
  });
});

describe('the Prometheus alert rules', () => {
  test('alert on error ratio, p99, Redis and the store unavailable, and audit dropping', () => {
    expect(alerts.map((a) => a.alert)).toEqual([
      'NexusInstanceDown',
      'NexusHighErrorRatio',
      'NexusHighLatencyP99',
      'NexusRedisUnavailable',
      'NexusStoreUnavailable',
      'NexusAuditDropping',
      'NexusAuditExportDropping',
      'NexusBackendCircuitOpen',
    ]);
  });

  test('every rule has a severity and a summary, and names metrics that Nexus records', () => {
    for (const a of alerts) {
      expect(a).toMatchObject({
        labels: { severity: expect.stringMatching(/^(warning|critical)$/) },
        annotations: { summary: expect.any(String) },
      });
    }
    const used = new Set(alerts.flatMap((a) => metricsOf(String(a.expr))));
    expect([...used].filter((m) => !(m in METRICS) || !recorded.has(m))).toEqual([]);
  });

  test('promtool checks the rules and their unit tests pass', () => {
    expect(promtool).toBeString();
    const dir = join(root, 'deploy/prometheus');
    const check = run(['check', 'rules', 'nexus-alerts.yml'], dir);
    expect(check.out).toContain(`SUCCESS: ${alerts.length} rules found`);
    const unit = run(['test', 'rules', 'nexus-alerts.test.yml'], dir);
    expect(unit.out).toContain('SUCCESS');
    expect([check.code, unit.code]).toEqual([0, 0]);
  });
});
