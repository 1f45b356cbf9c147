// Key rotation while the gateway serves: rotate-key under a stream of calls fails none of them;
// rotate-master followed by a restart works with the new master key and refuses the old one.
import { afterAll, describe, expect, test } from 'bun:test';
import { randomBytes } from 'node:crypto';
import { vaultRotateKeyCommand, vaultRotateMasterCommand } from '../../../src/cli/vault.ts';
import { startBackend } from '../../helpers/backend.ts';
import { tempDir, toolsDir, waitFor } from '../../helpers/gateway.ts';
import { basicHeader, canary, cliEnv, gatewayIn, MODES, mcpClient, scopeHolder, tool, toolFile, unauthorized } from './fixtures.ts';
import { runCommand } from './surfaces.ts';

const s = { user: canary(), pass: canary('base64') };
const backend = startBackend((req) =>
  req.headers.get('authorization') === basicHeader(s.user, s.pass) ? Response.json({ ok: 1 }) : unauthorized(),
);
const TOOLS = toolFile(backend.url, [tool('jira_get', '/issue', '{ type: basic, credential: jira }')]);
const CALLS = 200;
const WORKERS = 4;
const ROTATIONS = 5;

const scope = scopeHolder();
afterAll(async () => {
  await scope.cleanup();
  backend.stop();
});

const newKey = () => randomBytes(32).toString('base64');

for (const mode of MODES) {
  describe(`key rotation on a ${mode} gateway`, () => {
    test(`${CALLS} calls, ${WORKERS} at a time, all succeed while the KEK is rotated ${ROTATIONS} times by the gateway and by the CLI`, async () => {
      const shared = mode === 'shared' ? await scope.get() : undefined;
      const dataDir = tempDir('nexus-data-');
      await using gw = await gatewayIn(mode, toolsDir({ 'tools.yaml': TOOLS }), shared, { NEXUS_DATA_DIR: dataDir });
      const vault = gw.app.services.vault;
      await vault.put('jira', 'basic', { username: s.user, password: s.pass });
      const mcp = await mcpClient(gw);
      let done = 0;
      const failures: string[] = [];
      const worker = async () => {
        while (done + failures.length < CALLS) {
          const r = await mcp.call('jira_get').catch((e: Error) => ({ isError: true, text: e.message }));
          if (r.isError) failures.push(r.text);
          else done++;
        }
      };
      const rotations: string[] = [];
      const rotate = async () => {
        for (let i = 1; i <= ROTATIONS; i++) {
          await waitFor(() => done + failures.length >= (i * CALLS) / (ROTATIONS + 1), 10_000, `${i} sixths of the calls`);
          // even rotations come from another process's view of the store: `nexus vault rotate-key`
          if (i % 2) rotations.push(`gateway v${(await vault.rotateKey())!.kekVersion}`);
          else rotations.push(`cli ${(await runCommand(vaultRotateKeyCommand, [], cliEnv(mode, dataDir, shared))).stdout.trim()}`);
        }
      };
      await Promise.all([...Array.from({ length: WORKERS }, worker), rotate()]);
      await mcp.close();
      expect(failures).toEqual([]);
      expect(done).toBeGreaterThanOrEqual(CALLS);
      expect(rotations).toEqual([
        'gateway v2',
        'cli key-encryption key is now version 3; 1 data keys re-wrapped',
        'gateway v4',
        'cli key-encryption key is now version 5; 1 data keys re-wrapped',
        'gateway v6',
      ]);
    });

    test('after rotate-master a restarted gateway works with the new master key and refuses the old one', async () => {
      const shared = mode === 'shared' ? await scope.get() : undefined;
      const dataDir = tempDir('nexus-data-');
      const [oldKey, nextKey] = [shared?.masterKey ?? newKey(), newKey()]; // the scope's vault already exists under its key
      const dir = toolsDir({ 'tools.yaml': TOOLS });
      const start = (key: string) => gatewayIn(mode, dir, shared, { NEXUS_DATA_DIR: dataDir, NEXUS_MASTER_KEY: key });
      const callOnce = async (gw: Awaited<ReturnType<typeof start>>) => {
        const mcp = await mcpClient(gw);
        const r = await mcp.call('jira_get');
        await mcp.close();
        return r.isError;
      };

      const first = await start(oldKey);
      await first.app.services.vault.put('jira', 'basic', { username: s.user, password: s.pass });
      const out = await runCommand(vaultRotateMasterCommand, [], {
        ...cliEnv(mode, dataDir, shared, oldKey),
        NEXUS_NEW_MASTER_KEY: nextKey,
      });
      expect(out).toEqual({
        code: 0,
        stdout: '1 key-encryption keys re-wrapped; restart every instance with the new master key\n',
        stderr: '',
      });
      const stillServing = await callOnce(first); // its KEKs are already open in memory
      await first.stop();

      await using second = await start(nextKey);
      const afterRestart = await callOnce(second);
      const refused = await start(oldKey).then(
        async (g) => {
          await g.stop();
        },
        (e: { code?: string; message: string }) => [e.code, e.message],
      );
      expect([stillServing, afterRestart, refused]).toEqual([
        false,
        false,
        ['VAULT_ERROR', 'the master key does not open this vault (check NEXUS_MASTER_KEY / NEXUS_MASTER_KEY_FILE)'],
      ]);
    });
  });
}
