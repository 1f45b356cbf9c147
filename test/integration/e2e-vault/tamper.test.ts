// Someone with write access to the store alters a credential's ciphertext under a running gateway:
// the call fails closed with a tool error naming the credential, never a secret, and the gateway keeps
// serving every other tool. A gateway started with the wrong master key refuses to start.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { randomBytes } from 'node:crypto';
import type { Db } from '../../../src/db/types.ts';
import { startBackend } from '../../helpers/backend.ts';
import { type TestGateway, tempDir, toolsDir, waitFor } from '../../helpers/gateway.ts';
import {
  basicHeader,
  bearerOf,
  canary,
  gatewayIn,
  MODES,
  mcpClient,
  openStore,
  scopeHolder,
  tool,
  toolFile,
  unauthorized,
} from './fixtures.ts';
import { leaks } from './surfaces.ts';

const s = { user: canary(), pass: canary('base64'), a: canary('base64'), b: canary('base64'), c: canary('base64') };
const backend = startBackend((req, url) => {
  if (url.pathname === '/basic')
    return req.headers.get('authorization') === basicHeader(s.user, s.pass) ? Response.json({ ok: 1 }) : unauthorized();
  return [s.a, s.b, s.c].includes(bearerOf(req) ?? '') ? Response.json({ ok: 1 }) : unauthorized();
});
const TOOLS = toolFile(backend.url, [
  tool('healthy', '/basic', '{ type: basic, credential: healthy }'),
  ...['a', 'b', 'c'].map((n) => tool(`tool_${n}`, '/bearer', `{ type: bearer, credential: cred-${n} }`)),
]);

const scope = scopeHolder();
afterAll(async () => {
  await scope.cleanup();
  backend.stop();
});

type Version = { credential_id: string; nonce: string; ciphertext: string };
const flipFirstBit = (b64: string) => {
  const b = Buffer.from(b64, 'base64');
  b[0]! ^= 0x80;
  return b.toString('base64');
};

for (const mode of MODES) {
  describe(`tampering under a ${mode} gateway`, () => {
    const dataDir = tempDir('nexus-data-');
    const masterKey = randomBytes(32).toString('base64');
    let gw: TestGateway;
    let attacker: Db;
    let mcp: Awaited<ReturnType<typeof mcpClient>>;
    const versionOf = async (name: string) =>
      (
        await attacker.query<Version>(
          `SELECT v.credential_id, v.nonce, v.ciphertext FROM vault_credential_versions v
           JOIN vault_credentials c ON c.id = v.credential_id WHERE c.name = $1`,
          [name],
        )
      )[0]!;
    const setVersion = (v: Version, cols: Partial<Version>) =>
      attacker.run(`UPDATE vault_credential_versions SET nonce = $2, ciphertext = $3 WHERE credential_id = $1`, [
        v.credential_id,
        cols.nonce ?? v.nonce,
        cols.ciphertext ?? v.ciphertext,
      ]);

    beforeAll(async () => {
      const shared = mode === 'shared' ? await scope.get() : undefined;
      gw = await gatewayIn(mode, toolsDir({ 'tools.yaml': TOOLS }), shared, { NEXUS_DATA_DIR: dataDir, NEXUS_MASTER_KEY: masterKey });
      const v = gw.app.services.vault;
      await v.put('healthy', 'basic', { username: s.user, password: s.pass });
      for (const n of ['a', 'b', 'c'] as const) await v.put(`cred-${n}`, 'bearer', { token: s[n] });
      attacker = await openStore(mode, dataDir, shared);
      mcp = await mcpClient(gw);
    });
    afterAll(async () => {
      await mcp?.close();
      await attacker?.close();
      await gw?.stop();
    });

    const opensNot = (name: string) => ({
      isError: true,
      text: `credential "${name}" version 1 failed to open: it was altered, moved from another row, or sealed under another key`,
    });

    test('every credential works before anyone touches the store', async () => {
      const r = await Promise.all(['healthy', 'tool_a', 'tool_b', 'tool_c'].map((t) => mcp.call(t)));
      expect(r.map((x) => x.isError)).toEqual([false, false, false, false]);
    });

    test('a flipped bit, a ciphertext copied from another row and a truncated tag each fail closed with a clear tool error', async () => {
      const [a, b, c] = [await versionOf('cred-a'), await versionOf('cred-b'), await versionOf('cred-c')];
      await setVersion(a, { ciphertext: flipFirstBit(a.ciphertext) });
      await setVersion(b, { nonce: c.nonce, ciphertext: c.ciphertext });
      const cut = Buffer.from(c.ciphertext, 'base64');
      await setVersion(c, { ciphertext: cut.subarray(0, cut.length - 4).toString('base64') });
      const calls = async () => [await mcp.call('tool_a'), await mcp.call('tool_b'), await mcp.call('tool_c')];
      // a credential read is reused for up to a second: the altered rows are met at the next read
      const results = await waitFor(async () => {
        const r = await calls();
        return r.every((x) => x.isError) && r;
      });
      expect(results).toEqual([opensNot('cred-a'), opensNot('cred-b'), opensNot('cred-c')]);
      const hits = backend.requests.length;
      await calls();
      expect(backend.requests.length).toBe(hits); // nothing is sent with a half-opened secret
    });

    test('the gateway stays up: other tools keep working and nothing secret reached the logs or answers', async () => {
      expect((await mcp.call('healthy')).isError).toBe(false);
      expect((await fetch(`${gw.url}/readyz`)).status).toBe(200);
      const rest = await fetch(`${gw.url}/api/tools/tool_a`, { method: 'POST' });
      const body = await rest.text();
      expect([rest.status, body.includes('credential \\"cred-a\\" version 1 failed to open')]).toEqual([502, true]);
      expect(leaks({ logs: gw.logs.join('\n'), rest: body }, Object.values(s))).toEqual([]);
    });

    test('a gateway started on this store with another master key refuses to start with a clear VAULT_ERROR', async () => {
      const other = randomBytes(32).toString('base64');
      const shared = mode === 'shared' ? await scope.get() : undefined;
      const e = await gatewayIn(mode, toolsDir({ 'tools.yaml': TOOLS }), shared, {
        NEXUS_DATA_DIR: dataDir,
        NEXUS_MASTER_KEY: other,
      }).then(
        (g) => g.stop().then(() => undefined),
        (err: unknown) => err as { code?: string; message: string },
      );
      expect([e?.code, e?.message]).toEqual([
        'VAULT_ERROR',
        'the master key does not open this vault (check NEXUS_MASTER_KEY / NEXUS_MASTER_KEY_FILE)',
      ]);
    });
  });
}
