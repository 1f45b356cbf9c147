// servers: reload like tools: a new server's tools appear, an unchanged one keeps its session, a
// removed one's tools go and its child process ends.
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type FixtureUpstream, startStatefulUpstream } from '../../fixtures/upstream/fixture.ts';
import { startGateway, type TestGateway, toolsDir, waitFor } from '../../helpers/gateway.ts';

const FIXTURE = join(import.meta.dir, '../../fixtures/upstream/stdio-server.ts');
let upstream: FixtureUpstream;
let gw: TestGateway;
let dir: string;
const names = () =>
  gw.app.registry
    .current()
    .tools.map((t) => t.name)
    .filter((n) => n.includes('__'))
    .sort();

beforeAll(async () => {
  upstream = startStatefulUpstream();
  dir = toolsDir({
    'a.yaml': `servers:\n  - name: fx\n    url: ${upstream.url.href}\n    protocol: "2025-11-25"\n    include: ["echo"]\n`,
  });
  gw = await startGateway({ toolsDir: dir });
  await gw.app.upstreams.settled();
});
afterAll(async () => {
  await gw?.stop();
  await upstream?.stop();
});

test('adding a server file serves its tools; the unchanged server keeps its session', async () => {
  const before = upstream.state.initializes;
  writeFileSync(
    join(dir, 'b.yaml'),
    `servers:\n  - name: local\n    command: ${process.execPath}\n    args: ["${FIXTURE}"]\n    include: ["add"]\n`,
  );
  expect(gw.app.reload().ok).toBe(true);
  await waitFor(() => names().includes('local__add'), 10_000, 'local__add');
  expect(names()).toEqual(['fx__echo', 'local__add']);
  expect(upstream.state.initializes).toBe(before);
});

test('removing it removes its tools and ends its process', async () => {
  const pids = gw.app.upstreams.runtime('local')!.pids();
  expect(pids.length).toBe(1);
  rmSync(join(dir, 'b.yaml'));
  expect(gw.app.reload().ok).toBe(true);
  expect(names()).toEqual(['fx__echo']);
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  await waitFor(() => !alive(pids[0]!), 5000, 'the child to exit');
});

test('a broken servers block is rejected and the running servers stay', async () => {
  writeFileSync(join(dir, 'a.yaml'), 'servers:\n  - name: fx\n');
  const r = gw.app.reload();
  expect(r.ok).toBe(false);
  expect(r.issues.join('\n')).toContain('a server needs exactly one of url (remote) or command (stdio)');
  expect(names()).toEqual(['fx__echo']);
});
