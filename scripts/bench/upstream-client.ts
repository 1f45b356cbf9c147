// The client side of a federated call alone, in this process: CPU per tools/call to the bench upstream
// (scripts/bench/federation.ts --upstream) made four ways, interleaved, medians of rounds:
//   the SDK client on its Streamable HTTP transport (what Nexus used for every call),
//   the SDK client on a minimal JSON-only transport (what a lean transport could save at most),
//   Nexus's direct path (src/upstream/direct.ts), a bare fetch + JSON.parse (the floor with fetch), and
//   the same bare POST on a keep-alive socket of the event loop (Bun.connect): what fetch's hand-off of
//   each request to its HTTP thread and back costs (no TLS, no streaming: a measurement, not a client).
// "of which JS thread" is the main thread's share (/proc/self/task); the rest is fetch's HTTP thread,
// the kernel and the runtime's other threads.
//   bun scripts/bench/upstream-client.ts [--calls 3000] [--rounds 5] [--revision 2026-07-28|2025-11-25]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, type JSONRPCMessage, StreamableHTTPClientTransport, type Transport } from '@modelcontextprotocol/client';
import { type DirectSession, directCall } from '../../src/upstream/direct.ts';
import { BUN, killChildren, ROOT, spawnChild } from './proc.ts';
import { median } from './stats.ts';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '3000' },
    rounds: { type: 'string', default: '5' },
    revision: { type: 'string', default: '2026-07-28' },
  },
});
const CALLS = Number(values.calls);
const CONCURRENCY = 16;
const modern = values.revision === '2026-07-28';
const PV = 'io.modelcontextprotocol/protocolVersion';

/** Posts each message and hands back what the answer holds, nothing validated (an upper bound for option a). */
class JsonTransport implements Transport {
  onmessage?: Transport['onmessage'];
  onclose?: () => void;
  onerror?: (e: Error) => void;
  sessionId?: string;
  private version?: string;
  constructor(private readonly url: URL) {}
  async start() {}
  async close() {
    this.onclose?.();
  }
  setProtocolVersion(v: string) {
    this.version = v;
  }
  async send(message: JSONRPCMessage) {
    const m = message as { method?: string; params?: { name?: string; _meta?: Record<string, unknown> } };
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    const pv = m.params?._meta?.[PV];
    if (typeof pv === 'string') Object.assign(headers, { 'mcp-protocol-version': pv, 'mcp-method': m.method ?? '' });
    else if (this.version) headers['mcp-protocol-version'] = this.version;
    if (typeof pv === 'string' && m.method === 'tools/call') headers['mcp-name'] = m.params?.name ?? '';
    if (this.sessionId) headers['mcp-session-id'] = this.sessionId;
    const res = await fetch(this.url, { method: 'POST', headers, body: JSON.stringify(message) });
    this.sessionId ??= res.headers.get('mcp-session-id') ?? undefined;
    const text = await res.text();
    if (!text) return;
    if (text.startsWith('{')) this.onmessage?.(JSON.parse(text));
    else for (const line of text.split('\n')) if (line.startsWith('data: ')) this.onmessage?.(JSON.parse(line.slice(6)));
  }
}

/** CPU (µs) the main thread has used: utime + stime of /proc/self/task/<pid>/stat (10 ms ticks). */
function mainThreadUs(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10_000;
}

async function cpuPerCall(call: () => Promise<unknown>): Promise<{ all: number; js: number }> {
  for (let i = 0; i < 100; i++) await call();
  const before = process.cpuUsage();
  const js = mainThreadUs();
  let left = CALLS;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (left-- > 0) await call();
    }),
  );
  const used = process.cpuUsage(before);
  return { all: (used.user + used.system) / CALLS, js: (mainThreadUs() - js) / CALLS };
}

/** One POST at a time per keep-alive connection, answers framed by Content-Length only. */
function socketPoster(target: URL, headers: Record<string, string>) {
  type Conn = { socket: Bun.Socket<Conn>; buf: string; done?: (text: string) => void; fail?: (e: Error) => void };
  const idle: Conn[] = [];
  const head = `POST ${target.pathname} HTTP/1.1\r\nhost: ${target.host}\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}`;
  const open = () =>
    Bun.connect<Conn>({
      hostname: target.hostname,
      port: Number(target.port),
      socket: {
        open(socket) {
          socket.data = { socket, buf: '' };
        },
        data(socket, chunk) {
          const c = socket.data;
          c.buf += chunk.toString('latin1');
          const end = c.buf.indexOf('\r\n\r\n');
          const length = end < 0 ? NaN : Number(/content-length: *(\d+)/i.exec(c.buf.slice(0, end))?.[1]);
          if (Number.isNaN(length) || c.buf.length - end - 4 < length) return;
          const text = Buffer.from(c.buf.slice(end + 4, end + 4 + length), 'latin1').toString('utf8');
          const done = c.done!;
          c.buf = '';
          c.done = c.fail = undefined;
          idle.push(c);
          done(text);
        },
        close(socket) {
          socket.data.fail?.(new Error('connection closed'));
        },
      },
    }).then((socket) => socket.data);
  return async (body: string): Promise<string> => {
    const c = idle.pop() ?? (await open());
    return new Promise<string>((resolve, reject) => {
      c.done = resolve;
      c.fail = reject;
      c.socket.write(`${head}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    });
  };
}

process.on('exit', killChildren);
const upstream = await spawnChild([BUN, join(ROOT, 'scripts/bench/federation.ts'), '--upstream'], { log: '/dev/null' });
const url = new URL(`${upstream.url}/mcp`);
const mode = modern ? { pin: '2026-07-28' } : ('legacy' as const);
const connect = async (t: Transport) => {
  const c = new Client({ name: 'bench', version: '1' }, { versionNegotiation: { mode } });
  await c.connect(t);
  return c;
};
const sdk = await connect(new StreamableHTTPClientTransport(url));
const { tools } = await sdk.listTools();
const lean = await connect(new JsonTransport(url));
const direct: DirectSession = {
  url,
  fetch: (u, init) => fetch(u, init),
  era: modern ? 'modern' : 'legacy',
  protocolVersion: sdk.getNegotiatedProtocolVersion()!,
  sessionId: () => undefined,
  ...(modern && {
    envelope: {
      [PV]: '2026-07-28',
      'io.modelcontextprotocol/clientInfo': { name: 'bench', version: '1' },
      'io.modelcontextprotocol/clientCapabilities': {},
    },
  }),
  cancel: () => {},
  deliver: () => {},
};
const args = { text: 'hi' };
let id = 0;
const bareHeaders = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
  'mcp-protocol-version': direct.protocolVersion,
  ...(modern && { 'mcp-method': 'tools/call', 'mcp-name': 'echo' }),
};
const bareBody = () =>
  JSON.stringify({
    jsonrpc: '2.0',
    id: ++id,
    method: 'tools/call',
    params: { name: 'echo', arguments: args, ...(direct.envelope && { _meta: direct.envelope }) },
  });
const fromAnswer = (text: string) => JSON.parse(text.startsWith('{') ? text : text.slice(text.indexOf('data: ') + 6));
const post = socketPoster(url, bareHeaders);
const variants: Array<[string, () => Promise<unknown>]> = [
  ['SDK client, SDK transport', () => sdk.callTool({ name: 'echo', arguments: args }, { toolDefinition: tools[0]! })],
  ['SDK client, minimal JSON transport', () => lean.callTool({ name: 'echo', arguments: args })],
  ['direct path (src/upstream/direct.ts)', () => directCall(direct, 'echo', args, { timeoutMs: 30_000 })],
  [
    'bare fetch + JSON.parse',
    async () => fromAnswer(await (await fetch(url, { method: 'POST', headers: bareHeaders, body: bareBody() })).text()),
  ],
  ['bare POST on a Bun.connect socket + JSON.parse', async () => fromAnswer(await post(bareBody()))],
];
const got = new Map<string, Array<{ all: number; js: number }>>(variants.map(([label]) => [label, []]));
for (let round = 0; round < Number(values.rounds); round++) {
  for (const [label, call] of variants) got.get(label)!.push(await cpuPerCall(call));
}
console.log(`client CPU per tools/call, ${values.revision}, ${CALLS} calls x ${values.rounds} rounds, ${CONCURRENCY} concurrent:`);
for (const [label, xs] of got) {
  const all = xs.map((x) => x.all);
  const js = median(xs.map((x) => x.js)).toFixed(0);
  console.log(
    `  ${label.padEnd(48)} ${median(all).toFixed(0).padStart(5)} µs, of which JS thread ${js.padStart(4)}  (${all.map((x) => x.toFixed(0)).join(', ')})`,
  );
}
await Promise.all([sdk.close(), lean.close()]);
await upstream.stop();
