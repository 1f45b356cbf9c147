// Operators learn the size of what clients load on connecting: `nexus check` prints each endpoint's
// tools/list size, and check and serve warn when one lists over LARGE_LIST's tools or bytes.
import { expect, test } from 'bun:test';
import { LARGE_LIST } from '../../../src/catalogue/stats.ts';
import { runCli } from '../../../src/cli/index.ts';
import { startGateway, toolsDir } from '../../helpers/gateway.ts';
import { connect, REVISIONS } from '../../helpers/mcp-client.ts';

const many = (n: number, extra = '') =>
  toolsDir({
    'many.yaml': `backend: { base_url: "http://127.0.0.1:9" }\ntools:\n${Array.from(
      { length: n },
      (_, i) => `  - name: t${i}\n    description: Tool ${i}.\n    request: { method: GET, path: /t }\n`,
    ).join('')}${extra}`,
  });

async function check(dir: string, env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io = { env, stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t), stdin: async () => '' };
  const code = await runCli(['check', '--tools', dir, '--no-credentials'], io);
  return { code, stdout: out.join(''), stderr: err.join('') };
}

async function listedBytes(url: URL): Promise<number> {
  const client = await connect(url, REVISIONS[0]!);
  try {
    const { tools } = await client.listTools();
    return Buffer.byteLength(JSON.stringify({ tools }));
  } finally {
    await client.close();
  }
}

test('nexus check prints the tools/list size of /mcp and of every tool set, with no warning when small', async () => {
  const dir = many(3, 'toolsets:\n  - name: one\n    include: [t0]\n  - name: all\n    include: ["*"]\n    discovery: true\n');
  expect(await check(dir)).toEqual({
    code: 0,
    stdout: `ok: 3 tool(s) in 1 file(s) under ${dir}\ntools/list sizes: /mcp: 3 tool(s), 269 B (~68 tokens); /mcp/one: 1 tool(s), 97 B (~25 tokens); /mcp/all: discovery\n`,
    stderr: '',
  });
});

test('the size check prints is what a client receives', async () => {
  const dir = many(3);
  const printed = Number((await check(dir)).stdout.match(/\/mcp: 3 tool\(s\), (\d+) B/)![1]);
  await using gw = await startGateway({ toolsDir: dir });
  expect(await listedBytes(gw.mcpUrl)).toBe(printed);
});

test('over the tool limit, check and serve warn and point at tool sets; with discovery on /mcp they do not', async () => {
  const dir = many(LARGE_LIST.tools + 1);
  const warning = `the tools/list of /mcp is large (${LARGE_LIST.tools + 1} tools, `;
  const r = await check(dir);
  expect(r.code).toBe(0);
  expect(r.stderr).toStartWith(`warning: ${warning}`);
  expect(r.stderr).toContain('README "Big catalogues"');
  expect((await check(dir, { NEXUS_DISCOVERY: 'true' })).stderr).toBe('');

  await using gw = await startGateway({ toolsDir: dir });
  const logs = gw.logs.map((l) => JSON.parse(l) as { level: string; msg: string; listBytes?: number });
  expect(logs.filter((l) => l.level === 'warn' && l.msg.startsWith(warning)).length).toBe(1);
  const listening = logs.find((l) => l.msg === 'nexus listening')!;
  expect(listening.listBytes).toBe(await listedBytes(gw.mcpUrl));
});
