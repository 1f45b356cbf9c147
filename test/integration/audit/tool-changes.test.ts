// A reload that adds, changes and removes tools leaves one audit row per change, with the old and new
// definition hashes, in both stores; `nexus audit` and GET /admin/audit show them.
import { afterAll, describe, expect, test } from 'bun:test';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../../src/cli/index.ts';
import { definitionHash } from '../../../src/registry/changes.ts';
import { startBackend } from '../../helpers/backend.ts';
import { tempDir, toolsDir } from '../../helpers/gateway.ts';
import { cliEnv, gatewayIn, MODES, scopeHolder } from '../e2e-vault/fixtures.ts';

const backend = startBackend();
const file = (name: string, description: string) => `
backend: { base_url: "${backend.url}" }
tools:
  - name: ${name}
    description: ${description}
    request: { method: GET, path: /${name} }
`;
const scope = scopeHolder();
afterAll(async () => {
  backend.stop();
  await scope.cleanup();
});

describe.each(MODES)('%s store', (mode) => {
  test('a reload adding, changing and removing tools is audited with old and new definition hashes', async () => {
    const dir = toolsDir({ 'alpha.yaml': file('alpha', 'First.'), 'beta.yaml': file('beta', 'Second.') });
    const dataDir = tempDir('nexus-data-');
    const shared = mode === 'shared' ? await scope.get() : undefined;
    const gw = await gatewayIn(mode, dir, shared, { NEXUS_DATA_DIR: dataDir, NEXUS_ADMIN_TOKEN: 'audit-admin-token' });
    try {
      const old = gw.app.registry.current();
      rmSync(join(dir, 'alpha.yaml'));
      writeFileSync(join(dir, 'beta.yaml'), file('beta', 'Second, changed.'));
      writeFileSync(join(dir, 'gamma.yaml'), file('gamma', 'Third.'));
      expect(gw.app.reload().ok).toBe(true);
      gw.app.reload(); // the watcher may reload the same files again: no further rows
      const now = gw.app.registry.current();
      await gw.app.services.audit.flush();
      const h = (set: typeof old, name: string) => definitionHash(set.byName.get(name)!);

      const rows = (await gw.app.services.auditStore.query({ caller: 'nexus:reload' }))
        .map((r) => ({ tool: r.tool, outcome: r.outcome, args: r.args }))
        .sort((a, b) => a.tool.localeCompare(b.tool));
      expect(rows).toEqual([
        { tool: 'alpha', outcome: 'tool_removed', args: { old: h(old, 'alpha') } },
        { tool: 'beta', outcome: 'tool_changed', args: { old: h(old, 'beta'), new: h(now, 'beta') } },
        { tool: 'gamma', outcome: 'tool_added', args: { new: h(now, 'gamma') } },
      ]);
      expect(h(old, 'beta')).not.toBe(h(now, 'beta'));

      const admin = await fetch(`${gw.url}/admin/audit?caller=nexus:reload`, { headers: { authorization: 'Bearer audit-admin-token' } });
      const { records } = (await admin.json()) as { records: { tool: string; outcome: string }[] };
      const out: string[] = [];
      const code = await runCli(['audit', '--caller', 'nexus:reload'], {
        env: cliEnv(mode, dataDir, shared),
        stdout: (t) => out.push(t),
        stderr: (t) => out.push(t),
        stdin: async () => '',
      });
      const table = out.join('');
      expect({
        admin: records.map((r) => `${r.tool} ${r.outcome}`).sort(),
        cli: code,
        cliShowsHashes: table.includes(`${h(old, 'beta').slice(0, 12)} -> ${h(now, 'beta').slice(0, 12)}`),
        cliRows: table.includes('3 record(s)'),
      }).toEqual({
        admin: ['alpha tool_removed', 'beta tool_changed', 'gamma tool_added'],
        cli: 0,
        cliShowsHashes: true,
        cliRows: true,
      });
    } finally {
      await gw.stop();
    }
  }, 30_000);
});
