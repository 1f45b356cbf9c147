// Local stdio servers behind Nexus: a real third-party server from npm (server-memory) and our own
// fixture; the child's env, stdout noise, stderr, crash loop, and process-group shutdown.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { join } from 'node:path';
import { ANONYMOUS } from '../../../src/caller.ts';
import { startGateway, type TestGateway, tempDir, toolsDir, waitFor } from '../../helpers/gateway.ts';
import { connect, REVISIONS } from '../../helpers/mcp-client.ts';

const MEMORY = join(import.meta.dir, '../../../node_modules/@modelcontextprotocol/server-memory/dist/index.js');
const FIXTURE = join(import.meta.dir, '../../fixtures/upstream/stdio-server.ts');
const BUN = process.execPath;
const canary = `canary-${crypto.randomUUID()}`;

let gw: TestGateway;
beforeAll(async () => {
  process.env.NEXUS_TEST_PARENT_ONLY = canary; // Nexus's own env: must not reach a child
  gw = await startGateway({
    toolsDir: toolsDir({
      'servers.yaml': `servers:
  - name: mem
    command: ${BUN}
    args: ["${MEMORY}"]
    env: { MEMORY_FILE_PATH: "${join(tempDir(), 'memory.jsonl')}" }
  - name: noisy
    command: ${BUN}
    args: ["${FIXTURE}"]
    env: { FIXTURE_MODE: noisy, FIXTURE_SECRET: "${canary}" }
    max_response_bytes: 100000
  - name: crashy
    command: ${BUN}
    args: ["${FIXTURE}"]
    env: { FIXTURE_MODE: crash }
`,
    }),
  });
  await gw.app.upstreams.settled();
});
afterAll(async () => {
  delete process.env.NEXUS_TEST_PARENT_ONLY;
  await gw?.stop();
});

for (const rev of REVISIONS) {
  describe(`a ${rev.name} client`, () => {
    test('uses @modelcontextprotocol/server-memory spawned by Nexus', async () => {
      const client = await connect(gw.mcpUrl, rev);
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name).filter((n) => n.startsWith('mem__'))).toContain('mem__create_entities');
      const entity = `e-${rev.name}`;
      await client.callTool({
        name: 'mem__create_entities',
        arguments: { entities: [{ name: entity, entityType: 'test', observations: ['seen'] }] },
      });
      const graph = await client.callTool({ name: 'mem__read_graph', arguments: {} });
      await client.close();
      expect(JSON.stringify(graph.structuredContent ?? graph.content)).toContain(entity);
    });
  });
}

test("a child gets its own env plus PATH and HOME, never Nexus's", async () => {
  const client = await connect(gw.mcpUrl, REVISIONS[0]!);
  const echo = await client.callTool({ name: 'noisy__echo', arguments: { text: 'through the noise' } });
  await client.close();
  expect(echo.content).toEqual([{ type: 'text', text: 'through the noise' }]);
  const upstream = await gw.app.upstreams.runtime('noisy')!.client(ANONYMOUS);
  const read = await upstream.readResource({ uri: 'fixture://env' });
  const names = JSON.parse((read.contents[0] as { text: string }).text) as string[];
  expect(names.filter((n) => !n.startsWith('BUN_') && n !== '_')).toEqual(['FIXTURE_MODE', 'FIXTURE_SECRET', 'HOME', 'PATH']);
});

test('non-JSON and over-long stdout lines are dropped; stderr goes to the log, redacted', async () => {
  const lines = gw.logs.join('\n');
  expect(lines).toContain('upstream wrote a non-JSON-RPC line on stdout; dropped');
  expect(lines).toContain('fixture: started, secret [REDACTED]');
  expect(lines).not.toContain(canary);
  expect(gw.app.upstreams.status().find((s) => s.name === 'noisy')?.state).toBe('ready');
});

test('a child that keeps crashing is restarted with backoff and its tools fail fast', async () => {
  await waitFor(() => (gw.app.upstreams.status().find((s) => s.name === 'crashy')?.restarts ?? 0) >= 2, 8000, 'two restarts');
  const s = gw.app.upstreams.status().find((x) => x.name === 'crashy')!;
  expect([s.state, s.tools]).toEqual(['down', 0]);
  expect(s.error).toContain('exited with code 3');
});

test('on shutdown every child process group is ended', async () => {
  const pids = gw.app.upstreams.pids();
  expect(pids.length).toBeGreaterThanOrEqual(2);
  await gw.app.upstreams.close();
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  await waitFor(() => pids.every((p) => !alive(p)), 5000, 'children to exit');
});
