// Federation overhead, side by side in one run: the same tools/call made directly to a fast MCP
// upstream and through Nexus (a `servers:` entry), fast and with the upstream as the bottleneck, plus
// HTTP tools on the same gateway for reference (one whose backend is as busy as the upstream). Rounds
// alternate the paths; the table shows medians.
// Nexus's CPU per call (/proc utime+stime over the calls it served) is the figure to trust on a busy
// machine; rates and latencies move with whatever else runs.
//   bun scripts/bench/federation.ts [--seconds 3] [--rounds 3] [--concurrency 32] [--base REV] [--profile] [--write]
//                                   [--only TEXT]
// --base REV: also runs Nexus from that git revision (a temporary worktree), A/B in the same rounds
// --profile: the (working tree) gateway runs under --cpu-prof; a summary is printed at the end
// --only TEXT: only the rows whose case or path contains TEXT (with --profile: one path's profile)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createMcpHandler, Server } from '@modelcontextprotocol/server';
import { writeMarkedSection } from './idle-rss.ts';
import { BUN, type Child, freePort, killChildren, nexusArgv, ROOT, spawnChild, until } from './proc.ts';
import { type CpuProfile, formatSummary, summariseProfile } from './profile.ts';
import { median } from './stats.ts';

const { values } = parseArgs({
  options: {
    upstream: { type: 'boolean' },
    seconds: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '32' },
    base: { type: 'string' },
    profile: { type: 'boolean' },
    write: { type: 'boolean' },
    only: { type: 'string' },
  },
});

// The SDK upstream spends ~110 µs more CPU per tools/call than /plain: a backend as slow makes the gateway's
// fetch wait the same way (fewer answers per wake-up), so its row shows what the HTTP tool would cost there
const BUSY_US = 110;

/** Keeps the CPU busy for `us` µs: a backend that costs what the MCP upstream costs per call. */
function spin(us: number) {
  const end = performance.now() + us / 1000;
  while (performance.now() < end);
}

if (values.upstream) {
  // The upstream: stateless SDK server, one tool; `ms` makes it the bottleneck. /plain is the HTTP tool's backend.
  const seen = { handshakes: 0, listings: 0, calls: 0 };
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
      const url = new URL(req.url);
      if (url.pathname === '/stats') return Response.json(seen);
      if (url.pathname === '/plain') {
        const ms = Number(url.searchParams.get('ms') ?? 0);
        if (ms) await Bun.sleep(ms);
        spin(Number(url.searchParams.get('busy') ?? 0));
        return Response.json({ text: url.searchParams.get('text') ?? '' });
      }
      const text = await req.text();
      if (text.includes('"initialize"') || text.includes('"server/discover"')) seen.handshakes++;
      if (text.includes('"tools/list"')) seen.listings++;
      if (text.includes('"tools/call"')) seen.calls++;
      return handler.fetch(new Request(req.url, { method: req.method, headers: req.headers, body: text || undefined }));
    },
  });
  console.log(JSON.stringify({ port: srv.port }));
}

const START = '<!-- federation -->';
const END = '<!-- /federation -->';
const section = (out: string, rounds: number, base?: string) => `${START}
## Federation: a call through Nexus to an MCP upstream vs the same call direct

\`bun scripts/bench/federation.ts --write${base ? ` --base ${base}` : ''}\` (${new Date().toISOString().slice(0, 10)}): a stateless SDK
upstream with one tool, Nexus in front of it as a \`servers:\` entry (2026-07-28 negotiated), and an
HTTP tool on the same gateway against the same process for reference${base ? `; \`${base}\` is Nexus at that revision, run side by side` : ''}.
The load generator sends concurrent 2026-07-28 \`tools/call\` POSTs; each round runs every row once, the
table shows medians of ${rounds} rounds. "Nexus CPU" is the gateway process's user+system time (/proc)
divided by the calls it served, "upstream CPU" the same for the upstream: the figures that hold on a
busy machine (this one is shared: 2 cores, several other jobs; see the load average). Rates and
latencies depend on what else runs, and here the gateway, the upstream and the load generator share
the two cores, so a rate ratio mostly says how much CPU the extra hop takes from the upstream.

The "direct" row declares the client capabilities Nexus declares to upstreams (sampling, elicitation,
roots, which it relays); the SDK server spends noticeably more per request for such a client than for
one declaring none ("direct, no capabilities"), so "of direct" compares the same upstream work.

${out}
Issue 14's targets are under 100 µs of gateway CPU per call and at least 90% of the direct rate when
the upstream is the bottleneck. Read the federated row against the HTTP tool rows of the same gateway:
the difference is what federation adds to the pipeline every call already pays (authentication,
access, argument checks, limits, audit). A gateway waiting on a slower backend gets fewer answers per
wake-up of its fetch thread and pays more per call, so the fast case flatters the HTTP tool, whose
backend answers in a fraction of the SDK upstream's time: the "busy backend" HTTP tool's backend spins
${BUSY_US} µs per call (about the SDK upstream's extra CPU on a quiet machine; compare the upstream CPU
column, which grows with the load), and in the 20 ms case both wait alike, which makes it the
like-for-like comparison of federation's own cost. On a quiet machine the 20 ms case is bound by the upstream
and shows the rate; on a busy one it is CPU-bound (the upstream, the gateway and the load generator
share two cores) and the ratio says how much CPU the extra hop takes. Sessions are reused: one
handshake per gateway for the whole run (last line).
${END}`;

const TICK_US = 1_000_000 / 100; // /proc CPU times are in clock ticks (100 Hz on Linux)
function cpuUs(pid: number): { user: number; sys: number } {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return { user: Number(f[11]) * TICK_US, sys: Number(f[12]) * TICK_US };
}

// Every request is a 2026-07-28 one, the revision Nexus negotiates with the upstream: direct and via Nexus
// the upstream does the same work per call
const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': {},
  'io.modelcontextprotocol/clientInfo': { name: 'bench', version: '1' },
};

// What Nexus declares to upstreams (it relays sampling, elicitation and roots): an SDK server works
// harder per request for a client that declares them, so the same call direct declares them too
const RELAYING = { sampling: {}, elicitation: { form: {}, url: {} }, roots: {} };

async function load(url: string, tool: string, ms: number, seconds: number, concurrency: number, caps = {}) {
  const params = { name: tool, arguments: { text: 'hi', ms }, _meta: { ...ENVELOPE, 'io.modelcontextprotocol/clientCapabilities': caps } };
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params });
  const headers = {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': '2026-07-28',
    'mcp-method': 'tools/call',
    'mcp-name': tool,
  };
  const latencies: number[] = [];
  const deadline = performance.now() + seconds * 1000;
  let errors = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const t = performance.now();
        const res = await fetch(url, { method: 'POST', headers, body });
        const text = await res.text();
        if (!res.ok || text.includes('"isError":true') || text.includes('"error"')) errors++;
        latencies.push(performance.now() - t);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return { calls: latencies.length, rate: latencies.length / seconds, p50: latencies[Math.floor(latencies.length / 2)] ?? NaN, errors };
}

interface Target {
  readonly label: string;
  readonly url: string;
  readonly tool: string;
  /** The Nexus process whose CPU is counted. */
  readonly nexus?: Child;
  /** Client capabilities the requests declare. */
  readonly caps?: object;
}

async function startNexus(label: string, cwd: string, dir: string, upstreamUrl: string, profile: boolean): Promise<Child> {
  const tools = join(dir, `${label}-tools`);
  await Bun.write(join(tools, 'servers.yaml'), `servers:\n  - name: up\n    url: ${upstreamUrl}/mcp\n    timeout: 30s\n`);
  await Bun.write(
    join(tools, 'plain.yaml'),
    `backend: { base_url: "${upstreamUrl}", timeout: 30s }
tools:
  - name: plain_echo
    description: Echo over HTTP.
    input: { type: object, properties: { text: { type: string }, ms: { type: number } } }
    request: { method: GET, path: /plain, query: { text: "{text}", ms: "{ms}" } }
  - name: busy_echo
    description: Echo over HTTP from a backend that spends what the MCP upstream spends per call.
    input: { type: object, properties: { text: { type: string }, ms: { type: number } } }
    request: { method: GET, path: /plain, query: { text: "{text}", ms: "{ms}", busy: "${BUSY_US}" } }
`,
  );
  const port = await freePort();
  const prof = profile ? ['--cpu-prof', `--cpu-prof-dir=${dir}/prof`, '--cpu-prof-name=nexus.cpuprofile'] : [];
  const nexus = await spawnChild([...nexusArgv(cwd, prof), 'serve', '--port', String(port), '--tools', tools], {
    cwd,
    log: join(dir, `${label}.log`),
    env: { NEXUS_DATA_DIR: join(dir, `${label}-data`), NEXUS_LOG_LEVEL: 'warn' },
    health: { port, path: '/readyz' },
  });
  await until(
    async () =>
      ((await (await fetch(`${nexus.url}/readyz`)).json()) as { upstreams?: Array<{ state: string }> }).upstreams?.[0]?.state === 'ready',
    10_000,
    'the upstream listed by Nexus',
  );
  return nexus;
}

async function main() {
  const seconds = Number(values.seconds);
  const rounds = Number(values.rounds);
  const concurrency = Number(values.concurrency);
  const dir = mkdtempSync(join(tmpdir(), 'nexus-bench-fed-'));
  const worktree = values.base ? join(dir, 'base') : undefined;
  const cleanup = () => {
    killChildren();
    if (worktree) execFileSync('git', ['worktree', 'remove', '--force', worktree], { cwd: ROOT, stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('SIGINT', () => {
    cleanup();
    process.exit(130);
  });
  try {
    if (worktree) {
      execFileSync('git', ['worktree', 'add', '--detach', worktree, values.base!], { cwd: ROOT, stdio: 'ignore' });
      symlinkSync(join(ROOT, 'node_modules'), join(worktree, 'node_modules'));
    }
    const upstream = await spawnChild([BUN, join(ROOT, 'scripts/bench/federation.ts'), '--upstream'], { log: join(dir, 'upstream.log') });
    const gateways: Array<{ label: string; nexus: Child }> = [];
    if (worktree) gateways.push({ label: `Nexus ${values.base}`, nexus: await startNexus('base', worktree, dir, upstream.url, false) });
    gateways.push({
      label: worktree ? 'Nexus (work)' : 'Nexus',
      nexus: await startNexus('work', ROOT, dir, upstream.url, !!values.profile),
    });
    const targets: Target[] = [
      { label: 'direct, no capabilities', url: `${upstream.url}/mcp`, tool: 'echo' },
      { label: 'direct', url: `${upstream.url}/mcp`, tool: 'echo', caps: RELAYING },
    ];
    for (const g of gateways) {
      targets.push({ label: `via ${g.label}`, url: `${g.nexus.url}/mcp`, tool: 'up__echo', nexus: g.nexus });
      targets.push({ label: `HTTP tool, ${g.label}`, url: `${g.nexus.url}/mcp`, tool: 'plain_echo', nexus: g.nexus });
      targets.push({ label: `HTTP tool, busy backend, ${g.label}`, url: `${g.nexus.url}/mcp`, tool: 'busy_echo', nexus: g.nexus });
    }
    for (const t of targets) await load(t.url, t.tool, 0, 1, 4); // warm-up
    const cases = [
      { label: 'fast upstream', ms: 0 },
      { label: 'upstream takes 20 ms', ms: 20 },
    ];
    const got = new Map<string, { rate: number[]; p50: number[]; cpu: number[]; sys: number[]; up: number[]; errors: number }>();
    for (let round = 0; round < rounds; round++) {
      for (const c of cases) {
        for (const t of targets) {
          if (values.only && !`${c.label}\t${t.label}`.includes(values.only)) continue;
          const before = t.nexus ? cpuUs(t.nexus.pid) : { user: 0, sys: 0 };
          const up = cpuUs(upstream.pid);
          const r = await load(t.url, t.tool, c.ms, seconds, concurrency, t.caps);
          const after = t.nexus ? cpuUs(t.nexus.pid) : { user: NaN, sys: NaN };
          const upAfter = cpuUs(upstream.pid);
          const upCpu = (upAfter.user + upAfter.sys - up.user - up.sys) / r.calls;
          const sys = (after.sys - before.sys) / r.calls;
          const cpu = (after.user - before.user) / r.calls + sys;
          const k = `${c.label}\t${t.label}`;
          const e = got.get(k) ?? { rate: [], p50: [], cpu: [], sys: [], up: [], errors: 0 };
          e.sys.push(sys);
          e.up.push(upCpu);
          e.rate.push(r.rate);
          e.p50.push(r.p50);
          e.cpu.push(cpu);
          e.errors += r.errors;
          got.set(k, e);
          console.error(
            `round ${round + 1}: ${c.label}, ${t.label}: ${r.rate.toFixed(0)}/s, ${cpu.toFixed(0)} µs CPU/call (${sys.toFixed(0)} sys)`,
          );
        }
      }
    }
    const rows: string[][] = [];
    for (const c of cases) {
      const direct = median(got.get(`${c.label}\tdirect`)?.rate ?? [NaN]);
      for (const t of targets) {
        const e = got.get(`${c.label}\t${t.label}`);
        if (!e) continue;
        const rate = median(e.rate);
        const ratio = t.label !== 'direct' ? `${((rate / direct) * 100).toFixed(1)}%` : '-';
        const cpu = t.nexus ? `${median(e.cpu).toFixed(0)} (${Math.min(...e.cpu).toFixed(0)}–${Math.max(...e.cpu).toFixed(0)})` : '-';
        const sys = t.nexus ? median(e.sys).toFixed(0) : '-';
        rows.push([
          c.label,
          t.label,
          rate.toFixed(0),
          ratio,
          median(e.p50).toFixed(2),
          cpu,
          sys,
          median(e.up).toFixed(0),
          String(e.errors),
        ]);
      }
    }
    const stats = (await (await fetch(`${upstream.url}/stats`)).json()) as { handshakes: number; listings: number; calls: number };
    const head = [
      'case',
      'path',
      'calls/s',
      'of direct',
      'p50 ms',
      'Nexus CPU µs/call (range)',
      'of which system',
      'upstream CPU µs/call',
      'errors',
    ];
    const table = [head, head.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
    const load1 = readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
    const out = `${table}\n\nconcurrency ${concurrency}, ${seconds}s per row, ${rounds} rounds, load average ${load1} at the end; upstream handshakes (initialize, server/discover) over the whole run: ${stats.handshakes} (one per gateway), tools/list: ${stats.listings}, tools/call: ${stats.calls}\n`;
    console.log(out);
    if (values.write) writeMarkedSection(START, END, section(out, rounds, values.base));
    for (const g of gateways) await g.nexus.stop(values.profile ? 'SIGTERM' : 'SIGKILL');
    await upstream.stop();
    if (values.profile) {
      const file = join(dir, 'prof', 'nexus.cpuprofile');
      await until(async () => existsSync(file), 10_000, `the profile ${file}`);
      console.log(formatSummary(summariseProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, 'Nexus, whole run')));
    }
  } finally {
    cleanup();
  }
}

if (!values.upstream) await main();
