// The client side of a federated call alone, in this process: CPU per tools/call to the bench upstream
// (scripts/bench/federation.ts --upstream) made four ways, interleaved, medians of rounds:
//   the SDK client on its Streamable HTTP transport (what Nexus used for every call),
//   the SDK client on a minimal JSON-only transport (what a lean transport could save at most),
//   Nexus's direct path (src/upstream/direct.ts), and a bare fetch + JSON.parse (the floor).
//   bun scripts/bench/upstream-client.ts [--calls 3000] [--rounds 5] [--revision 2026-07-28|2025-11-25]
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

async function cpuPerCall(call: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 100; i++) await call();
  const before = process.cpuUsage();
  let left = CALLS;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (left-- > 0) await call();
    }),
  );
  const used = process.cpuUsage(before);
  return (used.user + used.system) / CALLS;
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
const variants: Array<[string, () => Promise<unknown>]> = [
  ['SDK client, SDK transport', () => sdk.callTool({ name: 'echo', arguments: args }, { toolDefinition: tools[0]! })],
  ['SDK client, minimal JSON transport', () => lean.callTool({ name: 'echo', arguments: args })],
  ['direct path (src/upstream/direct.ts)', () => directCall(direct, 'echo', args, { timeoutMs: 30_000 })],
  [
    'bare fetch + JSON.parse',
    async () => {
      const body = JSON.stringify({
        jsonrpc: '2.0',
        id: ++id,
        method: 'tools/call',
        params: { name: 'echo', arguments: args, ...(direct.envelope && { _meta: direct.envelope }) },
      });
      const text = await (await fetch(url, { method: 'POST', headers: bareHeaders, body })).text();
      return JSON.parse(text.startsWith('{') ? text : text.slice(text.indexOf('data: ') + 6));
    },
  ],
];
const got = new Map<string, number[]>(variants.map(([label]) => [label, []]));
for (let round = 0; round < Number(values.rounds); round++) {
  for (const [label, call] of variants) got.get(label)!.push(await cpuPerCall(call));
}
console.log(`client CPU per tools/call, ${values.revision}, ${CALLS} calls x ${values.rounds} rounds, ${CONCURRENCY} concurrent:`);
for (const [label, xs] of got) {
  console.log(`  ${label.padEnd(40)} ${median(xs).toFixed(0).padStart(5)} µs  (${xs.map((x) => x.toFixed(0)).join(', ')})`);
}
await Promise.all([sdk.close(), lean.close()]);
await upstream.stop();
