import { afterAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuditStore } from '../../../src/audit/store.ts';
import { auditCommand } from '../../../src/cli/audit.ts';
import { migrate } from '../../../src/db/migrate.ts';
import { openDb } from '../../../src/db/open.ts';
import { silentLogger } from '../../../src/log.ts';
import { runCommand } from '../auth/cli-io.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'nexus-audit-cli-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
const run = (argv: string[]) => runCommand(auditCommand, argv, { NEXUS_DATA_DIR: dataDir });

describe('nexus audit', () => {
  test('prints a readable table, filters by caller and tool, and prints JSON on request', async () => {
    const db = await openDb({ dataDir, log: silentLogger });
    await migrate(db, silentLogger);
    const now = Date.now();
    await createAuditStore(db).insert([
      { time: now - 7_200_000, caller: 'key:old', tool: 'jira_get', outcome: 'ok' },
      { time: now - 1000, caller: 'key:a', tool: 'jira_get', outcome: 'ok', backendStatus: 200, latencyMs: 12.4, cache: 'miss' },
      { time: now, caller: 'key:b', tool: 'crm_get', outcome: 'denied', error: 'NOT_FOUND' },
    ]);
    await db.close();
    const table = await run(['--since', '1h']);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^TIME\s+CALLER\s+TOOL\s+OUTCOME\s+STATUS\s+LATENCY\s+CACHE\s+ERROR\/LIMIT$/);
    expect(lines.slice(1, 3).map((l) => l.split(/\s{2,}/).slice(1))).toEqual([
      ['key:b', 'crm_get', 'denied', '-', '-', '-', 'NOT_FOUND'],
      ['key:a', 'jira_get', 'ok', '200', '12ms', 'miss', '-'],
    ]);
    const json = JSON.parse((await run(['--caller', 'key:a', '--tool', 'jira_get', '--json'])).stdout);
    expect(json).toEqual([
      { time: now - 1000, caller: 'key:a', tool: 'jira_get', outcome: 'ok', backendStatus: 200, latencyMs: 12.4, cache: 'miss' },
    ]);
  });
});
