// SIGTERM turns /readyz to 503 at once (before the drain) and keep-alive connections are closed
// cleanly; a second `nexus serve` on a port in use fails with "address in use" instead of sharing it.
import { expect, test } from 'bun:test';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { tempDir, toolsDir, waitFor } from '../../helpers/gateway.ts';
import { spawnServe, toolFile } from './fixture.ts';

const MAIN = join(import.meta.dir, '../../../src/main.ts');

/** A raw keep-alive HTTP/1.1 connection: send requests, read what the server writes, see it close. */
function keepAlive(port: number) {
  const sock: Socket = connect(port, '127.0.0.1');
  const state = { text: '', ended: false, error: false };
  sock.on('data', (d) => (state.text += String(d)));
  sock.on('end', () => (state.ended = true));
  sock.on('error', () => (state.error = true));
  const get = async (path: string) => {
    const before = state.text.length;
    sock.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
    await waitFor(() => /\r\n\r\n[\s\S]*\}/.test(state.text.slice(before)), 5000, `an answer to ${path}`);
    return state.text.slice(before);
  };
  return { get, state, close: () => sock.destroy() };
}

test('after SIGTERM /readyz answers 503 at once, answers close their keep-alive connection, and the process exits 0', async () => {
  const nexus = await spawnServe(toolsDir({ 't.yaml': toolFile('noop', 'http://127.0.0.1:9') }), { NEXUS_SHUTDOWN_DELAY: '3s' });
  const port = Number(new URL(nexus.mcpUrl).port);
  const conn = keepAlive(port);
  try {
    const before = await conn.get('/readyz');
    nexus.proc.kill('SIGTERM');
    await waitFor(() => nexus.stderr().includes('/readyz answers 503'), 5000, 'the shutdown log line');
    const fresh = await fetch(`http://127.0.0.1:${port}/readyz`);
    const during = await conn.get('/readyz');
    await waitFor(() => conn.state.ended, 5000, 'the server to close the keep-alive connection');
    const code = await nexus.proc.exited;
    expect({
      before: [before.split('\r\n')[0], /\r\nconnection: close\r\n/i.test(before)],
      fresh: [fresh.status, await fresh.json()],
      during: [during.split('\r\n')[0], /\r\nconnection: close\r\n/i.test(during), during.includes('"status":"draining"')],
      closedCleanly: conn.state.ended && !conn.state.error,
      code,
    }).toEqual({
      before: ['HTTP/1.1 200 OK', false],
      fresh: [503, { status: 'draining', checks: {} }],
      during: ['HTTP/1.1 503 Service Unavailable', true, true],
      closedCleanly: true,
      code: 0,
    });
  } finally {
    conn.close();
    nexus.proc.kill('SIGKILL');
  }
}, 20_000);

test('a second `nexus serve` on a port already in use exits non-zero saying "address in use"', async () => {
  const tools = toolsDir({ 't.yaml': toolFile('noop', 'http://127.0.0.1:9') });
  const first = await spawnServe(tools);
  const port = new URL(first.mcpUrl).port;
  try {
    const second = Bun.spawn([process.execPath, MAIN, 'serve', '--port', port, '--tools', tools], {
      env: { PATH: process.env.PATH ?? '', NEXUS_DATA_DIR: tempDir('nexus-data-') },
      stdin: 'ignore',
      stdout: 'ignore',
      stderr: 'pipe',
    });
    const code = await second.exited;
    const stderr = await new Response(second.stderr).text();
    expect({
      code,
      says: stderr.includes(`address in use: 127.0.0.1:${port}`),
      firstStillServes: (await fetch(`http://127.0.0.1:${port}/healthz`)).status,
    }).toEqual({
      code: 1,
      says: true,
      firstStillServes: 200,
    });
  } finally {
    first.proc.kill('SIGKILL');
  }
}, 20_000);
