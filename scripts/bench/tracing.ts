// What tracing and audit export cost: uncached tools/call of Nexus side by side, in alternating
// rounds: tracing off (twice: two identical gateways, whose difference is the run's noise floor),
// tracing at 100% sampling to a local OTLP/HTTP sink (protobuf, the default, and JSON), and audit
// export to a syslog receiver that never reads (stalled). Per target: the server's CPU per call
// (user + system from /proc, counted until the batched span export after the round is done), the
// figure to compare on a shared machine, and wrk's throughput. That tracing off costs nothing is
// measured in process (span-cost.ts measureOffCost: the call's steps through the no-op port against
// the same steps without it), since a gateway without the port would be another build.
// bun scripts/bench/tracing.ts [--rounds 5] [--seconds 3] [--connections 32] [--split] [--base REF] [--write]
// --base REF: also two gateways from git revision REF (a temporary worktree), tracing off and at 100%
//   (protobuf), in the same rounds: before and after a change to tracing, from one run
// --split: also a traced gateway whose exports are discarded before the HTTP request
//   (discard-export.ts), to tell sending from recording and encoding; and per target, the exports
//   and bytes the sink received per call
// --write: replaces the tracing section of docs/benchmarks.md
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startBenchBackend } from './backend.ts';
import { type Gateway, startGateway, toolNames, writeBenchTools } from './nexus.ts';
import { pidCpuMs } from './noise.ts';
import { CPUS, killChildren, ROOT } from './proc.ts';
import { markers, writeSection } from './section.ts';
import { measureOffCost } from './span-cost.ts';
import { median } from './stats.ts';
import { checkCall, runWrk, toolCall } from './wrk.ts';

/** Wait after each round: the span export runs at most a second after the last call (batch delay). */
const EXPORT_SETTLE_MS = 1500;

const { values: f } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '32' },
    split: { type: 'boolean', default: false },
    base: { type: 'string' },
    write: { type: 'boolean', default: false },
  },
});
const dir = mkdtempSync(join(tmpdir(), 'nexus-tracing-'));
const worktree = join(dir, 'base');
if (f.base) {
  execFileSync('git', ['worktree', 'add', '--detach', worktree, f.base], { cwd: ROOT, stdio: 'ignore' });
  symlinkSync(join(ROOT, 'node_modules'), join(worktree, 'node_modules'));
}
const cleanup = () => {
  killChildren();
  if (f.base) execFileSync('git', ['worktree', 'remove', '--force', worktree], { cwd: ROOT, stdio: 'ignore' });
  rmSync(dir, { recursive: true, force: true });
};
process.on('SIGINT', () => {
  cleanup();
  process.exit(130);
});

// The collector stand-in: takes every export and answers at once (counts exports and bytes per
// gateway, by the endpoint's path: /<label>/v1/traces; decodes nothing)
let exports = 0;
const received = new Map<string, { exports: number; bytes: number }>();
const sink = Bun.serve({
  port: 0,
  hostname: '127.0.0.1',
  fetch: async (req) => {
    const body = await req.arrayBuffer();
    exports++;
    const label = decodeURIComponent(new URL(req.url).pathname.split('/')[1] ?? '');
    const got = received.get(label) ?? { exports: 0, bytes: 0 };
    got.exports++;
    got.bytes += body.byteLength;
    received.set(label, got);
    return Response.json({});
  },
});
// A syslog receiver that accepts and never reads nor answers the TLS handshake
const stalled = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } });

try {
  const backend = startBenchBackend();
  const prefix = 'tr_';
  const names = toolNames(prefix);
  const start = async (label: string, env: Record<string, string> = {}, bunFlags?: string[], cwd = ROOT) => {
    const tools = join(dir, `${label}-tools`);
    const data = join(dir, `${label}-data`);
    writeBenchTools(tools, { prefix, backendUrl: backend.url, limits: false });
    const gw: Gateway = await startGateway({
      toolsDir: tools,
      dataDir: data,
      log: join(dir, `${label}.log`),
      cpu: CPUS.server,
      env,
      cwd,
      ...(bunFlags && { bunFlags }),
    });
    return { label, gw };
  };
  const traced = (label: string) => ({
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${sink.port}/${encodeURIComponent(label)}`,
    OTEL_TRACES_SAMPLER: 'always_on',
  });
  const PROTOBUF = 'tracing on, 100% (protobuf)';
  const JSON_ = 'tracing on, 100%, JSON';
  const DISCARDED = 'tracing on, 100% (protobuf), export discarded';
  const BASE = `tracing on, 100% (protobuf), ${f.base} (before)`;
  const BASE_OFF = `tracing off, ${f.base} (before)`;
  const targets = [
    await start('tracing off'),
    await start('tracing off, a second gateway'),
    await start(PROTOBUF, traced(PROTOBUF)),
    await start(JSON_, { ...traced(JSON_), OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json' }),
    ...(f.base ? [await start(BASE_OFF, {}, undefined, worktree), await start(BASE, traced(BASE), undefined, worktree)] : []),
    ...(f.split ? [await start(DISCARDED, traced(DISCARDED), ['--preload', join(ROOT, 'scripts/bench/discard-export.ts')])] : []),
    await start('audit export, stalled', { NEXUS_AUDIT_EXPORT: `syslog+tls://127.0.0.1:${stalled.port}` }),
  ];
  const calls = new Map<string, number>();
  const results = new Map<string, { rps: number[]; p99: number[]; cpu: number[] }>();
  for (let round = 0; round < Number(f.rounds); round++) {
    // each round in another order, so no target always runs first after a pause
    const order = targets.map((_, i) => targets[(i + round) % targets.length]!);
    for (const t of order) {
      const call = toolCall(t.gw.mcpUrl, '2026-07-28', names.uncached, { id: '7' });
      await checkCall(call);
      console.error(`round ${round + 1}: ${t.label}`);
      const cpu0 = pidCpuMs(t.gw.pid);
      const r = await runWrk(call, { seconds: Number(f.seconds), connections: Number(f.connections), cpu: CPUS.load });
      if (r.errors || r.bad) throw new Error(`${t.label}: ${r.errors} errors, ${r.bad} bad answers`);
      await Bun.sleep(EXPORT_SETTLE_MS); // the batch processor exports the round's last spans within a second
      const got = results.get(t.label) ?? { rps: [], p99: [], cpu: [] };
      got.rps.push(r.rps);
      got.p99.push(r.p99Ms);
      got.cpu.push(r.requests > 0 ? ((pidCpuMs(t.gw.pid) - cpu0) * 1000) / r.requests : Number.NaN);
      results.set(t.label, got);
      calls.set(t.label, (calls.get(t.label) ?? 0) + r.requests + 1);
    }
  }
  // a round's targets run one after another, so the ratio to tracing off within each round cancels
  // the machine's drift between rounds: the median of those ratios is the figure to compare
  const paired = (k: string, base = 'tracing off') => {
    const a = results.get(k)!.cpu;
    const b = results.get(base)!.cpu;
    const ratios = a.map((x, i) => x / b[i]! - 1).filter(Number.isFinite);
    const m = median(ratios) * 100;
    return `${m >= 0 ? '+' : ''}${m.toFixed(1)}%`;
  };
  const off = median(results.get('tracing off')!.rps);
  const offCpu = median(results.get('tracing off')!.cpu);
  const pct = (x: number, base: number) => `${x >= base ? '+' : ''}${(((x - base) / base) * 100).toFixed(1)}%`;
  const rows = [
    '| target (uncached tools/call, 2026-07-28) | median CPU µs/call | vs tracing off | CPU vs off, paired per round | median req/s | vs tracing off | median p99 ms | rounds (CPU µs/call) |',
    '|---|--:|--:|--:|--:|--:|--:|---|',
  ];
  for (const [k, v] of results) {
    const rps = median(v.rps);
    const cpu = median(v.cpu.filter(Number.isFinite));
    rows.push(
      `| ${k} | ${cpu.toFixed(1)} | ${pct(cpu, offCpu)} | ${paired(k)} | ${Math.round(rps)} | ${pct(rps, off)} | ${median(v.p99).toFixed(2)} | ${v.cpu.map((c) => c.toFixed(1)).join(', ')} |`,
    );
  }
  if (f.base) {
    const cpuOf = (k: string) => median(results.get(k)!.cpu.filter(Number.isFinite));
    const rpsOf = (k: string) => median(results.get(k)!.rps);
    rows.push(
      '',
      `Tracing on (100%, protobuf) against tracing off of the same build: ${f.base} (before) ${pct(cpuOf(BASE), cpuOf(BASE_OFF))} CPU per call ` +
        `(${paired(BASE, BASE_OFF)} paired per round), ${pct(rpsOf(BASE), rpsOf(BASE_OFF))} req/s; this build ${pct(cpuOf(PROTOBUF), offCpu)} CPU per call ` +
        `(${paired(PROTOBUF)} paired), ${pct(rpsOf(PROTOBUF), off)} req/s.`,
    );
  }
  if (f.split) {
    rows.push('', '| target | calls | exports | bytes per call | calls per export |', '|---|--:|--:|--:|--:|');
    for (const [k, n] of calls) {
      const got = received.get(k);
      if (got) rows.push(`| ${k} | ${n} | ${got.exports} | ${(got.bytes / n).toFixed(0)} | ${(n / got.exports).toFixed(1)} |`);
    }
  }
  // the no-op port in process, with the gateways idle: what tracing off adds to a call's own steps
  const offCost = await measureOffCost();
  const portUs = offCost.off - offCost.none;
  const share = (Math.abs(portUs) / offCpu) * 100;
  const floor = median(results.get('tracing off, a second gateway')!.cpu);
  const [open, close] = markers('tracing');
  const section = [
    open,
    '## Tracing and audit export',
    '',
    `\`bun scripts/bench/tracing.ts --rounds ${f.rounds} --seconds ${f.seconds}${f.split ? ' --split' : ''}${f.base ? ` --base ${f.base}` : ''}\`: wrk, ${f.connections} connections, the ${targets.length} gateways in`,
    "alternating rounds (each round in another order), medians; CPU µs/call is the server process's user + system time over",
    `the round (until its spans are exported) divided by the calls answered. Tracing on exports every span (seven per call)`,
    `to a local OTLP/HTTP sink (${exports} exports received); the stalled receiver accepts TCP and never answers the TLS handshake.`,
    `Load average during the run: ${loadavg()[0]!.toFixed(1)} on ${navigator.hardwareConcurrency} cores (shared): compare the rows, not the absolute figures.`,
    '',
    'Tracing off is the gateway without the tracing module (src/trace/otel.ts and OpenTelemetry are loaded only when',
    'OTEL_EXPORTER_OTLP_ENDPOINT is set); what stays on the call path is the no-op port, measured in process by',
    `\`span-cost.ts\`: a call's steps through it ${offCost.off.toFixed(2)} µs CPU against ${offCost.none.toFixed(2)} µs without it (minimums`,
    `${offCost.offMin.toFixed(2)} and ${offCost.noneMin.toFixed(2)}), ${portUs.toFixed(2)} µs a call: ${share.toFixed(2)}% of the gateway's ${offCpu.toFixed(1)} µs${share < 1 ? ', below what any gateway row can resolve' : ''}.`,
    `The second tracing-off gateway is the same build again: its ${pct(floor, offCpu)} (${paired('tracing off, a second gateway')} paired per round) is how far two identical gateways differ in this run.`,
    '',
    ...rows,
    close,
  ].join('\n');
  console.log(section);
  if (f.write) writeSection('tracing', section);
  backend.stop();
} finally {
  sink.stop(true);
  stalled.stop(true);
  cleanup();
}
process.exit(process.exitCode ?? 0);
