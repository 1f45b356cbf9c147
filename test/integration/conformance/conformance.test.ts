// The official MCP conformance suite's fixture-free scenarios pass for both revisions.
// Scenarios needing the suite's own fixture tools are listed in the README.
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { join } from 'node:path';
import { startDemoBackend } from '../../../scripts/demo-backend.ts';
import { failedChecks, runConformance } from '../../helpers/conformance.ts';
import { startGateway, type TestGateway } from '../../helpers/gateway.ts';

const SCENARIOS: Array<[string, string]> = [
  ['2025-11-25', 'server-initialize'],
  ['2025-11-25', 'ping'],
  ['2025-11-25', 'tools-list'],
  ['2025-11-25', 'dns-rebinding-protection'],
  ['2026-07-28', 'tools-list'],
  ['2026-07-28', 'sep-2164-resource-not-found'],
  ['2026-07-28', 'dns-rebinding-protection'],
  ['2026-07-28', 'caching'],
  ['2026-07-28', 'input-required-result-unsupported-methods'],
  ['2026-07-28', 'input-required-result-ignore-extra-params'],
  ['2026-07-28', 'input-required-result-validate-input'],
  ['2026-07-28', 'input-required-result-missing-input-response'],
];

let gw: TestGateway;
let backend: ReturnType<typeof startDemoBackend>;
beforeAll(async () => {
  backend = startDemoBackend(0);
  const base = `http://127.0.0.1:${backend.port}`;
  gw = await startGateway({
    toolsDir: join(import.meta.dir, '../../../tools'),
    env: { JIRA_URL: `${base}/jira`, CRM_URL: `${base}/crm/v1`, INVENTORY_URL: `${base}/inventory` },
  });
});
afterAll(async () => {
  await gw?.stop();
  backend?.stop(true);
});

for (const [rev, scenario] of SCENARIOS) {
  test(`conformance ${rev} ${scenario} passes`, async () => {
    const r = await runConformance(gw.mcpUrl, rev, scenario);
    expect(failedChecks(r)).toEqual([]);
    expect(r.code).toBe(0);
  }, 120_000);
}

test('conformance 2026-07-28 server-stateless fails only checks that need the suite fixture tools', async () => {
  const r = await runConformance(gw.mcpUrl, '2026-07-28', 'server-stateless');
  expect(failedChecks(r, { ignoreUntestable: true })).toEqual([]);
  expect(r.checks.filter((c) => c.status === 'SUCCESS').length).toBeGreaterThanOrEqual(24);
}, 120_000);
