// Federation overhead, side by side in one run: the same tools/call made directly to a fast MCP
// upstream and through Nexus (a `servers:` entry), fast and with the upstream as the bottleneck.
// Prints rate, p50 latency and Nexus's CPU per call (from /proc), and the upstream's initialize count.
//   bun scripts/bench/federation.ts [--seconds 3] [--concurrency 32]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createMcpHandler, Server } from '@modelcontextprotocol/server';
import { writeMarkedSection } from './idle-rss.ts';
import { BUN, freePort, killChildren, ROOT, spawnChild, until } from './proc.ts';

const TOOL: Record<string, string> = {};

const { values } = parseArgs({
  options: { upstream: { type: 'boolean' }, seconds: { type: 'string' }, concurrency: { type: 'string' }, write: { type: 'boolean' } },
});

if (values.upstream) {
  // The upstream: stateless SDK server, one tool; `ms` makes it the bottleneck.
  let initializes = 0;
  const handler = createMcpHandler(() => {
    const s = new Server({ name: 'bench-upstream', version: '1.0.0' }, { capabilities: { tools: {} } });
    s.setRequestHandler('tools/list', async () => ({
      tools: [
        {
          name: 'echo',
          description: 'Echo',
          inputSchema: { type: 'object', properties: { text: { type: 'string' }, ms: { type: 'number' } } },
        },
      ],
    }));
    s.setRequestHandler('tools/call', async (r) => {
      const ms = Number(r.params.arguments?.ms ?? 0);
      if (ms) await Bun.sleep(ms);
      return { content: [{ type: 'text', text: String(r.params.arguments?.text ?? '') }] };
    });
    return s;
  });
  const srv = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(req) {
      if (new URL(req.url).pathname === '/stats') return Response.json({ initializes });
      const text = await req.text();
      if (text.includes('"initialize"')) initializes++;
      return handler.fetch(new Request(req.url, { method: req.method, headers: req.headers, body: text || undefined }));
    },
  });
  console.log(JSON.stringify({ port: srv.port }));
}

const START = '<!-- federation -->';
const END = '<!-- /federation -->';
const section = (table: string, concurrency: number, seconds: number) => `${START}
## Federation: a call through Nexus to an MCP upstream vs the same call direct

\`bun scripts/bench/federation.ts --write\` (${new Date().toISOString().slice(0, 10)}): a stateless SDK upstream with one tool,
Nexus in front of it as a \`servers:\` entry; the load generator sends ${concurrency} concurrent raw
JSON-RPC \`tools/call\` POSTs for ${seconds}s per row, first direct, then through Nexus. "Nexus CPU" is the
gateway process's user+system time (/proc) divided by the calls it served.

${table}
Targets of issue 14: under 100 µs of gateway CPU per call, and at least 90% of the direct rate when
the upstream is the bottleneck: **neither is met yet**. Upstream sessions are reused (no initialize
per call, last line). Most of the cost is the official SDK client's own work per \`callTool\`
(about 650 µs CPU per call measured alone on this machine, with no gateway); a direct JSON-RPC path
for upstream calls, as the fast path does for clients, is the next step. Figures vary with the load
of this shared 2-core machine.
${END}`;

const TICK_US = 1_000_000 / 100; // /proc CPU times are in clock ticks (100 Hz on Linux)
function cpuUs(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) * TICK_US;
}

async function load(url: string, ms: number, seconds: number, concurrency: number) {
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: '', arguments: { text: 'hi', ms } } });
  const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  const latencies: number[] = [];
  const deadline = performance.now() + seconds * 1000;
  let errors = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const t = performance.now();
        const res = await fetch(url, { method: 'POST', headers, body: body.replace('"name":""', `"name":"${TOOL[url]}"`) });
        const text = await res.text();
        if (!res.ok || text.includes('"isError":true') || text.includes('"error"')) errors++;
        latencies.push(performance.now() - t);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return { calls: latencies.length, rate: latencies.length / seconds, p50: latencies[Math.floor(latencies.length / 2)] ?? NaN, errors };
}

async function main() {
  const seconds = Number(values.seconds ?? 3);
  const concurrency = Number(values.concurrency ?? 32);
  process.on('exit', killChildren);
  const dir = join('/tmp', `nexus-bench-fed-${process.pid}`);
  const upstream = await spawnChild([BUN, join(ROOT, 'scripts/bench/federation.ts'), '--upstream'], { log: `${dir}-upstream.log` });
  const tools = `${dir}-tools`;
  await Bun.write(join(tools, 'servers.yaml'), `servers:\n  - name: up\n    url: ${upstream.url}/mcp\n    timeout: 30s\n`);
  const port = await freePort();
  const nexus = await spawnChild([BUN, join(ROOT, 'src/main.ts'), 'serve', '--port', String(port), '--tools', tools], {
    log: `${dir}-nexus.log`,
    env: { NEXUS_DATA_DIR: `${dir}-data`, NEXUS_LOG_LEVEL: 'warn' },
    health: { port, path: '/readyz' },
  });
  await until(
    async () =>
      ((await (await fetch(`${nexus.url}/readyz`)).json()) as { upstreams?: Array<{ state: string }> }).upstreams?.[0]?.state === 'ready',
    10_000,
    'the upstream listed by Nexus',
  );
  const direct = `${upstream.url}/mcp`;
  const via = `${nexus.url}/mcp`;
  TOOL[direct] = 'echo';
  TOOL[via] = 'up__echo';
  for (const u of [direct, via]) await load(u, 0, 1, 4); // warm-up
  const rows: string[][] = [];
  for (const ms of [0, 20]) {
    const d = await load(direct, ms, seconds, concurrency);
    const before = cpuUs(nexus.pid);
    const g = await load(via, ms, seconds, concurrency);
    const perCall = (cpuUs(nexus.pid) - before) / g.calls;
    const label = ms ? `upstream takes ${ms} ms` : 'fast upstream';
    rows.push([label, 'direct', d.rate.toFixed(0), d.p50.toFixed(2), '-', String(d.errors)]);
    rows.push([label, 'via Nexus', g.rate.toFixed(0), g.p50.toFixed(2), perCall.toFixed(0), String(g.errors)]);
    rows.push([label, 'ratio', `${((g.rate / d.rate) * 100).toFixed(1)}%`, '', '', '']);
  }
  const { initializes } = (await (await fetch(`${upstream.url}/stats`)).json()) as { initializes: number };
  const head = ['case', 'path', 'calls/s', 'p50 ms', 'Nexus CPU µs/call', 'errors'];
  const table = [head, head.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
  const out = `${table}\n\nconcurrency ${concurrency}, ${seconds}s per row; upstream initialize requests during the run: ${initializes}\n`;
  console.log(out);
  if (values.write) writeMarkedSection(START, END, section(out, concurrency, seconds));
  await nexus.stop();
  await upstream.stop();
}

if (!values.upstream) await main();
