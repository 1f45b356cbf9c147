// The official MCP conformance suite's fixture-free scenarios pass for both revisions.
// Scenarios needing the suite's own fixture tools are listed in the README.
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemoBackend } from '../../../scripts/demo-backend.ts';
import { startGateway, type TestGateway } from '../../helpers/gateway.ts';

const SCRIPT = join(import.meta.dir, '../../../../shared/scripts/run-conformance.sh');
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
  if (!existsSync(SCRIPT)) throw new Error(`conformance runner not found at ${SCRIPT} (shared/ must sit beside the repo)`);
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

async function run(rev: string, scenario: string) {
  const out = mkdtempSync(join(tmpdir(), 'nexus-conf-'));
  const proc = Bun.spawn(['bash', SCRIPT, gw.mcpUrl.href, '--spec-version', rev, '--scenario', scenario], {
    env: { ...process.env, CONF_OUT: out, CONF_RUNNER: process.execPath },
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const [code, stdout] = await Promise.all([proc.exited, new Response(proc.stdout).text()]);
  const dir = readdirSync(out).find((d) => d.includes(scenario));
  const checks = dir
    ? (JSON.parse(readFileSync(join(out, dir, 'checks.json'), 'utf8')) as Array<{
        id: string;
        status: string;
        details?: { untestable?: boolean };
      }>)
    : [];
  return { code, stdout, checks };
}

for (const [rev, scenario] of SCENARIOS) {
  test(`conformance ${rev} ${scenario} passes`, async () => {
    const r = await run(rev, scenario);
    expect(r.checks.filter((c) => c.status === 'FAILURE').map((c) => c.id)).toEqual([]);
    expect(r.code).toBe(0);
  }, 120_000);
}

test('conformance 2026-07-28 server-stateless fails only checks that need the suite fixture tools', async () => {
  const r = await run('2026-07-28', 'server-stateless');
  const failures = r.checks.filter((c) => c.status === 'FAILURE');
  expect(failures.filter((c) => !c.details?.untestable).map((c) => c.id)).toEqual([]);
  expect(r.checks.filter((c) => c.status === 'SUCCESS').length).toBeGreaterThanOrEqual(24);
}, 120_000);
