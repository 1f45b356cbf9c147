// A stdio server's auth block puts the vault's credential into the child's environment (env: NAME):
// the child sees it (compared by hash), while logs, the command line and answers never do.
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startGateway, type TestGateway, toolsDir, waitFor } from '../../helpers/gateway.ts';
import { connect, REVISIONS } from '../../helpers/mcp-client.ts';

const FIXTURE = join(import.meta.dir, '../../fixtures/upstream/stdio-server.ts');
const token = `tok-${crypto.randomUUID()}`;
const sha256 = (s: string) => new Bun.CryptoHasher('sha256').update(s).digest('hex');

let gw: TestGateway;
beforeAll(async () => {
  gw = await startGateway({
    toolsDir: toolsDir({
      'servers.yaml': `servers:
  - name: gh
    command: ${process.execPath}
    args: ["${FIXTURE}"]
    env: { FIXTURE_HASH_ENV: GITHUB_TOKEN }
    auth: { type: bearer, credential: gh-token, env: GITHUB_TOKEN }
`,
    }),
  });
  await gw.app.services.vault.put('gh-token', 'bearer', { token });
  await gw.app.upstreams.runtime('gh')!.refresh();
});
afterAll(() => gw?.stop());

test("the child gets the vault's token in the variable the auth block names", async () => {
  expect(gw.app.upstreams.status()[0]?.state).toBe('ready');
  for (const rev of REVISIONS) {
    const client = await connect(gw.mcpUrl, rev);
    const read = await client.readResource({ uri: 'fixture://items/env-sha256' });
    await client.close();
    expect(read.contents).toEqual([{ uri: 'fixture://items/env-sha256', mimeType: 'text/plain', text: sha256(token) }]);
  }
});

test('the token is in no log line (the child printed it to stderr) and not on its command line', async () => {
  await waitFor(() => gw.logs.some((l) => l.includes('fixture: GITHUB_TOKEN is')), 5000, 'the child stderr line');
  const lines = gw.logs.join('\n');
  expect(lines).toContain('fixture: GITHUB_TOKEN is [REDACTED]');
  expect(lines).not.toContain(token);
  const pids = gw.app.upstreams.pids();
  expect(pids.length).toBe(1);
  expect(readFileSync(`/proc/${pids[0]}/cmdline`, 'utf8')).not.toContain(token);
});
