// Master-key rotation against KEK rotation: whatever order they come in, the vault stays openable
// with the newest master key. An instance that still holds the old master key refuses to seal a KEK
// under it (by hand or scheduled), or picks up the new key when its key file was replaced.
import { afterAll, describe, expect, test } from 'bun:test';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { vaultRotateKeyCommand, vaultRotateMasterCommand } from '../../../src/cli/vault.ts';
import { masterKeyFile } from '../../../src/vault/master-key.ts';
import { Vault } from '../../../src/vault/vault.ts';
import { startBackend } from '../../helpers/backend.ts';
import { type SharedScope, sharedScope, tempDir, toolsDir, waitFor } from '../../helpers/gateway.ts';
import { basicHeader, canary, cliEnv, gatewayIn, MODES, type Mode, mcpClient, tool, toolFile, unauthorized } from './fixtures.ts';
import { runCommand } from './surfaces.ts';

const s = { user: canary(), pass: canary('base64') };
const backend = startBackend((req) =>
  req.headers.get('authorization') === basicHeader(s.user, s.pass) ? Response.json({ ok: 1 }) : unauthorized(),
);
const TOOLS = toolsDir({ 'tools.yaml': toolFile(backend.url, [tool('jira_get', '/issue', '{ type: basic, credential: jira }')]) });
const scopes: SharedScope[] = [];
afterAll(async () => {
  for (const sc of scopes) await sc.cleanup();
  backend.stop();
});

const newKey = () => randomBytes(32).toString('base64');
const STALE =
  'the vault master key was rotated since this process started (vault rotate-master): restart it with the new master key before rotating keys';

/** A store of its own (a fresh schema in shared mode), a gateway on it under `key`, and the CLI beside it. */
/** `key` null: embedded mode generates the key file. */
async function setup(mode: Mode, env: Record<string, string> = {}, key: string | null = newKey()) {
  const shared = mode === 'shared' ? await sharedScope() : undefined;
  if (shared) scopes.push(shared);
  const dataDir = tempDir('nexus-data-');
  const start = (k: string | undefined, extra: Record<string, string> = {}) =>
    gatewayIn(mode, TOOLS, shared, { NEXUS_DATA_DIR: dataDir, ...(k && { NEXUS_MASTER_KEY: k }), ...env, ...extra });
  const cli = (cmd: typeof vaultRotateKeyCommand, k: string | undefined, extra: Record<string, string> = {}) =>
    runCommand(cmd, [], { ...cliEnv(mode, dataDir, shared, k), ...(!k && { NEXUS_MASTER_KEY: '' }), ...extra });
  const gw = await start(key ?? undefined);
  await gw.app.services.vault.put('jira', 'basic', { username: s.user, password: s.pass });
  return { gw, start, cli, dataDir };
}

async function callOnce(gw: Awaited<ReturnType<typeof gatewayIn>>) {
  const mcp = await mcpClient(gw);
  const r = await mcp.call('jira_get');
  await mcp.close();
  return r.isError ? r.text : 'ok';
}

for (const mode of MODES) {
  describe(`master-key rotation with KEK rotations, ${mode}`, () => {
    test('rotate-master while an instance runs, then a KEK rotation on it: refused; rotate-key with the new key works; restart opens', async () => {
      const [m1, m2] = [newKey(), newKey()];
      const { gw, start, cli } = await setup(mode, {}, m1);
      const rotated = await cli(vaultRotateMasterCommand, m1, { NEXUS_NEW_MASTER_KEY: m2 });
      const onStale = await gw.app.services.vault.rotateKey().then(
        () => 'rotated',
        (e: { code: string; message: string }) => `${e.code}: ${e.message}`,
      );
      const stillServing = await callOnce(gw);
      const byCli = await cli(vaultRotateKeyCommand, m2);
      await gw.stop();
      await using again = await start(m2);
      expect({ rotated: rotated.code, onStale, stillServing, byCli: byCli.stdout, afterRestart: await callOnce(again) }).toEqual({
        rotated: 0,
        onStale: `VAULT_ERROR: ${STALE}`,
        stillServing: 'ok',
        byCli: 'key-encryption key is now version 2; 1 data keys re-wrapped\n',
        afterRestart: 'ok',
      });
    });

    test('a scheduled rotation (NEXUS_KEY_ROTATION) after rotate-master is refused and logged; restart on the new key opens', async () => {
      const [m1, m2] = [newKey(), newKey()];
      const { gw, start, cli } = await setup(mode, { NEXUS_KEY_ROTATION: '1s' }, m1);
      expect((await cli(vaultRotateMasterCommand, m1, { NEXUS_NEW_MASTER_KEY: m2 })).code).toBe(0);
      const line = await waitFor(
        () => gw.logs.find((l) => l.includes('scheduled key rotation failed') && l.includes('rotated since this process started')),
        10_000,
        'the refused scheduled rotation',
      );
      await gw.stop();
      await using again = await start(m2, { NEXUS_KEY_ROTATION: '' });
      expect([JSON.parse(line!).level, await callOnce(again)]).toEqual(['error', 'ok']);
    }, 20_000);

    test('two rotate-master runs from the same old key: the second is refused, the first new key opens the vault', async () => {
      const [m1, m2, m3] = [newKey(), newKey(), newKey()];
      const { gw } = await setup(mode, {}, m1);
      const db = gw.app.services.db;
      const [a, b] = [await Vault.open(db, Buffer.from(m1, 'base64')), await Vault.open(db, Buffer.from(m1, 'base64'))];
      await a.rotateMaster(Buffer.from(m2, 'base64'));
      const second = await b.rotateMaster(Buffer.from(m3, 'base64')).then(
        () => 'rotated',
        (e: Error) => e.message,
      );
      const opened = await Vault.open(db, Buffer.from(m2, 'base64'));
      const secret = (await opened.resolve('jira')).secret;
      for (const v of [a, b, opened]) v.close();
      await gw.stop();
      expect([second, secret]).toEqual([STALE, { username: s.user, password: s.pass }]);
    });
  });
}

describe('a replaced master key file is picked up', () => {
  test('embedded, generated key file: rotate-master replaces it, rotate-key seals a KEK under it; the running instance stores, rotates, restart opens', async () => {
    const { gw, start, cli, dataDir } = await setup('embedded', {}, null);
    const m2 = newKey();
    expect((await cli(vaultRotateMasterCommand, undefined, { NEXUS_NEW_MASTER_KEY: m2 })).code).toBe(0);
    expect(readFileSync(masterKeyFile(dataDir), 'utf8').trim()).toBe(m2);
    expect((await cli(vaultRotateKeyCommand, undefined)).stdout).toBe('key-encryption key is now version 2; 1 data keys re-wrapped\n');
    const stored = await gw.app.services.vault.put('jira', 'basic', { username: s.user, password: s.pass }); // under KEK 2, sealed with m2
    const rotated = await gw.app.services.vault.rotateKey();
    const serving = await callOnce(gw);
    await gw.stop();
    await using again = await start(undefined);
    expect([stored.version, rotated?.kekVersion, serving, await callOnce(again)]).toEqual([2, 3, 'ok', 'ok']);
  });
});
