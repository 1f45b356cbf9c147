// `nexus servers list` shows every federated server with its state, revision and tool count.
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { runCli } from '../../../src/cli/index.ts';
import { type FixtureUpstream, startStatefulUpstream } from '../../fixtures/upstream/fixture.ts';
import { startGateway, type TestGateway, tempDir, toolsDir } from '../../helpers/gateway.ts';

let upstream: FixtureUpstream;
let dir: string;
beforeAll(() => {
  upstream = startStatefulUpstream();
  dir = toolsDir({
    'servers.yaml': `servers:
  - name: fx
    url: ${upstream.url.href}
    protocol: "2025-11-25"
  - name: gone
    url: http://127.0.0.1:9/mcp
`,
  });
});
afterAll(() => upstream?.stop());

const run = async (argv: string[]) => {
  const out: string[] = [];
  const code = await runCli(argv, { env: {}, stdout: (s) => out.push(s), stderr: () => {}, stdin: async () => '' });
  return { code, out: out.join('') };
};

test('lists each server with its state, revision and tool count, and exits 1 when one is down', async () => {
  const { code, out } = await run(['servers', 'list', '--tools', dir, '--json']);
  const rows = JSON.parse(out) as Array<Record<string, unknown>>;
  expect(code).toBe(1);
  expect(rows.map((r) => [r.name, r.state, r.protocol ?? null, r.tools])).toEqual([
    ['fx', 'ready', '2025-11-25', 8],
    ['gone', 'down', null, 0],
  ]);
  expect(rows[1]!.error).toBe('server gone is unreachable (connection refused)');
});

test('--url asks a running gateway', async () => {
  let gw: TestGateway | undefined;
  try {
    gw = await startGateway({ toolsDir: dir });
    await gw.app.upstreams.settled();
    const { out } = await run(['servers', 'list', '--url', gw.url]);
    expect(out.split('\n')[0]).toMatch(/^SERVER\s+STATE\s+PROTOCOL\s+TOOLS\s+TARGET\s+ERROR$/);
    expect(out).toMatch(/\nfx\s+ready\s+/);
    expect(out).toContain('2 server(s)');
  } finally {
    await gw?.stop();
  }
});

test('nexus doctor reports each server: ok with its tool count, FAIL with the reason', async () => {
  const { diagnose } = await import('../../../src/cli/doctor.ts');
  const results = await diagnose({ argv: ['--tools', dir, '--data-dir', tempDir()], env: {} });
  expect(results.filter((r) => r.check.startsWith('server ')).map((r) => [r.check, r.status, r.detail])).toEqual([
    ['server fx', 'ok', `8 tool(s), 2025-11-25 via streamable-http (${upstream.url.href})`],
    ['server gone', 'FAIL', 'server gone is unreachable (connection refused)'],
  ]);
});
