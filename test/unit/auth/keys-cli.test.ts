import { afterAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from '../../../src/cli/command.ts';
import { keysCreateCommand, keysListCommand, keysRevokeCommand } from '../../../src/cli/keys.ts';
import { runCommand } from './cli-io.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'nexus-keys-cli-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const run = (cmd: Command, argv: string[]) => runCommand(cmd, argv, { NEXUS_DATA_DIR: dataDir });

describe('nexus keys', () => {
  test('create prints the key once on stdout; list shows the key by name only; revoke marks it', async () => {
    const created = await run(keysCreateCommand, ['ci-bot', '--tools', 'jira_*,crm_get_*', '--expires', '90d']);
    const key = created.stdout.trim();
    expect([created.code, /^nxs_[A-Za-z0-9_-]{43}$/.test(key), created.stderr.includes('cannot be shown again')]).toEqual([0, true, true]);

    const listed = await run(keysListCommand, ['--json']);
    const rows = JSON.parse(listed.stdout) as { name: string; tools: string[]; status: string }[];
    expect(rows.map((r) => [r.name, r.tools, r.status])).toEqual([['ci-bot', ['jira_*', 'crm_get_*'], 'active']]);
    expect(listed.stdout.includes(key)).toBe(false);

    expect((await run(keysRevokeCommand, ['ci-bot'])).code).toBe(0);
    const table = await run(keysListCommand, []);
    expect(table.stdout.split('\n')[1]).toMatch(/^ci-bot\s+revoked\s+jira_\*,crm_get_\*/);
    expect(readFileSync(join(dataDir, 'nexus.db')).toString('latin1').includes(key)).toBe(false);
  });

  test('mistakes are NexusErrors with a code: no name, a bad expiry, revoking an unknown key', async () => {
    const outcomes = [];
    for (const [cmd, argv] of [
      [keysCreateCommand, []],
      [keysCreateCommand, ['x', '--expires', 'soon']],
      [keysRevokeCommand, ['ghost']],
    ] as const) {
      outcomes.push(
        await run(cmd, [...argv]).then(
          () => 'ok',
          (e: { code: string }) => e.code,
        ),
      );
    }
    expect(outcomes).toEqual(['INVALID_INPUT', 'INVALID_INPUT', 'NOT_FOUND']);
  });
});
