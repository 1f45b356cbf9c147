// How long a client on the wrong transport waits before it hears so, and how long a right one takes to
// connect, against a gateway spawned on the example tools. Each client's own timeout is 30 s, so a hang
// shows as ~30000 ms. Medians of several rounds; wall-clock, so expect noise on a busy machine.
//   bun scripts/bench/wrong-transport.ts [--rounds 5]
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client as ClientV2, StreamableHTTPClientTransport as StreamableV2 } from '@modelcontextprotocol/client';
import { Client } from 'sdk-v1-latest/client/index.js';
import { SSEClientTransport } from 'sdk-v1-latest/client/sse.js';
import { StreamableHTTPClientTransport } from 'sdk-v1-latest/client/streamableHttp.js';
import { BUN, freePort, killChildren, spawnChild } from './proc.ts';
import { median } from './stats.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' } } });
const TIMEOUT = 30_000;
const port = await freePort();
const data = mkdtempSync(join(tmpdir(), 'nexus-bench-'));
process.on('exit', killChildren);
const gw = await spawnChild([BUN, 'src/main.ts', 'serve', '--port', String(port), '--tools', 'tools', '--data-dir', data], {
  log: join(data, 'nexus.log'),
  health: { port, path: '/healthz' },
});
const url = (path: string) => new URL(`${gw.url}${path}`);

const v1 = () => new Client({ name: 'bench', version: '1' });
/** Connects (bounded by the client's own timeout), then closes what connected. */
const open = async (client: { connect: (t: never, o: { timeout: number }) => Promise<void>; close: () => Promise<void> }, t: unknown) => {
  await client.connect(t as never, { timeout: TIMEOUT });
  await client.close();
};
const CASES: Array<[string, () => Promise<unknown>]> = [
  ['SSEClientTransport on /sse (right)', () => open(v1(), new SSEClientTransport(url('/sse')))],
  ['SSEClientTransport on /mcp (served)', () => open(v1(), new SSEClientTransport(url('/mcp')))],
  ['SSEClientTransport on /messages', () => open(v1(), new SSEClientTransport(url('/messages')))],
  ['SDK v1 Streamable HTTP on /sse', () => open(v1(), new StreamableHTTPClientTransport(url('/sse')))],
  ['SDK v1 Streamable HTTP on /messages', () => open(v1(), new StreamableHTTPClientTransport(url('/messages')))],
  ['SDK v2 Streamable HTTP on /sse', () => open(new ClientV2({ name: 'bench', version: '1' }) as never, new StreamableV2(url('/sse')))],
];

console.log(`| client | outcome | median ms (${values.rounds} rounds) |\n|---|---|---|`);
for (const [name, run] of CASES) {
  const times: number[] = [];
  let outcome = '';
  for (let i = 0; i < Number(values.rounds); i++) {
    const t0 = performance.now();
    outcome = await run().then(
      () => 'connected',
      (e: Error) => `error: ${e.message.slice(0, 70)}`,
    );
    times.push(performance.now() - t0);
  }
  console.log(`| ${name} | ${outcome.replaceAll('|', '/')} | ${median(times).toFixed(1)} |`);
}
await gw.stop();
process.exit(0);
