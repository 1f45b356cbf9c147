// kill -9 right after 50 answered calls: a real `nexus serve` child process, in both modes. The next
// start replays the spool the dead process left, so the store ends with exactly 50 rows: none lost,
// none twice.
import { afterAll, describe, expect, test } from 'bun:test';
import { createAuditStore } from '../../../src/audit/store.ts';
import { startBackend } from '../../helpers/backend.ts';
import { TEST_DATABASE_URL, tempDir, toolsDir, waitFor } from '../../helpers/gateway.ts';
import { MODES, openStore, scopeHolder } from '../e2e-vault/fixtures.ts';
import { postToolCall, spawnServe, toolFile } from '../ops/fixture.ts';

const scope = scopeHolder();
afterAll(() => scope.cleanup());
const backend = startBackend(() => Response.json({ ok: true }));
afterAll(() => backend.stop());

for (const mode of MODES) {
  describe(`audit across a crash, ${mode}`, () => {
    test('50 answered calls, then SIGKILL: after the next start all 50 rows are in the store, once each', async () => {
      const dataDir = tempDir('nexus-data-');
      const tools = toolsDir({ 'crash.yaml': toolFile('crash_probe', backend.url) });
      const shared = mode === 'shared' ? await scope.get() : undefined;
      const env: Record<string, string> = {
        NEXUS_DATA_DIR: dataDir,
        ...(shared && { DATABASE_URL: `${TEST_DATABASE_URL}?search_path=${shared.schema}`, NEXUS_MASTER_KEY: shared.masterKey }),
      };
      const first = await spawnServe(tools, env);
      const answers: number[] = [];
      for (let i = 1; i <= 50; i++) answers.push((await postToolCall(first.mcpUrl, 'crash_probe', i)).status);
      first.proc.kill('SIGKILL');
      expect({ answers, exit: await first.proc.exited }).toEqual({ answers: Array(50).fill(200), exit: 137 });

      const second = await spawnServe(tools, env);
      try {
        const db = await openStore(mode, dataDir, shared);
        try {
          const rows = async () => (await createAuditStore(db).query({ tool: 'crash_probe', limit: 1000 })).length;
          await waitFor(async () => (await rows()) >= 50, 5000, '50 audit rows').catch(() => {}); // the count says how many
          expect(await rows()).toBe(50);
        } finally {
          await db.close();
        }
      } finally {
        second.proc.kill('SIGTERM');
        await second.proc.exited;
      }
    }, 60_000);
  });
}
