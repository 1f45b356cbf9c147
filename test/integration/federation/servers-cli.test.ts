// `nexus servers list` shows every federated server with its state, revision and tool count.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
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

describe('a server with an auth block, offline', () => {
  const token = `tok-${crypto.randomUUID()}`;
  let guarded: ReturnType<typeof Bun.serve>;
  let authDir: string;
  beforeAll(() => {
    // the fixture behind a door that wants the vault's token
    guarded = Bun.serve({
      port: 0,
      hostname: '127.0.0.1',
      idleTimeout: 0,
      fetch: (req) =>
        req.headers.get('authorization') === `Bearer ${token}`
          ? fetch(upstream.url, { method: req.method, headers: req.headers, body: req.body })
          : new Response('no', { status: 401 }),
    });
    authDir = toolsDir({
      'servers.yaml': `servers:
  - name: fx
    url: http://127.0.0.1:${guarded.port}/mcp
    protocol: "2025-11-25"
    auth: { type: bearer, credential: fx-token }
`,
    });
  });
  afterAll(() => guarded?.stop(true));

  const runIn = async (argv: string[], env: Record<string, string>, stdin = '') => {
    const out: string[] = [];
    const code = await runCli(argv, { env, stdout: (s) => out.push(s), stderr: () => {}, stdin: async () => stdin });
    return { code, out: out.join('') };
  };

  test("is probed with the vault's credential when the vault opens here", async () => {
    const env = { NEXUS_DATA_DIR: tempDir('nexus-data-') };
    expect((await runIn(['vault', 'put', 'fx-token'], env, JSON.stringify({ token }))).code).toBe(0);
    const { code, out } = await runIn(['servers', 'list', '--tools', authDir, '--json'], env);
    const rows = JSON.parse(out) as Array<Record<string, unknown>>;
    expect(rows.map((r) => [r.name, r.state, r.tools, r.error ?? null])).toEqual([['fx', 'ready', 8, null]]);
    expect(code).toBe(0);
    expect(out).not.toContain(token);
  });

  test('is listed as skipped, saying why, when there is no vault here', async () => {
    const { code, out } = await runIn(['servers', 'list', '--tools', authDir, '--json'], { NEXUS_DATA_DIR: tempDir('nexus-empty-') });
    const rows = JSON.parse(out) as Array<Record<string, unknown>>;
    expect(code).toBe(1);
    expect(rows.map((r) => [r.name, r.state, r.tools])).toEqual([['fx', 'skipped', 0]]);
    expect(String(rows[0]!.error)).toMatch(/^not contacted: it needs credential "fx-token" and no vault at .*nexus\.db/);
  });
});
