// `bun run bench`: the side-by-side benchmark (issue 8). Starts every target on loopback, drives them
// with wrk round by round (A B C ..., A B C ...), then fan-in, scale and a CPU profile, and writes
// docs/benchmarks.md and docs/benchmarks.svg, with the idle RSS over the example tools (idle-rss.ts).
// Flags: --rounds 3 --seconds 4 --connections 32 --no-profile --no-write --quick
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { auditRows } from './audit-count.ts';
import { chartSvg } from './chart.ts';
import { type FanInResult, fanIn } from './fan-in.ts';
import { idleRssSection, measureIdleRss } from './idle-rss.ts';
import { schemaOf, startModes } from './modes.ts';
import { type Gateway, startGateway, toolNames, writeBenchTools } from './nexus.ts';
import { startNoise } from './noise.ts';
import { BUN, type Child, CPUS, killChildren, peakRss, ROOT, spawnChild } from './proc.ts';
import { type ProfileSummary, runProfile } from './profile.ts';
import { type HalfLoad, type Mode, type Target, writeReport } from './report.ts';
import { runScale, type ScaleRow } from './scale.ts';
import { currentSection } from './section.ts';
import { describeMachine, ensureWrk } from './setup.ts';
import { openSharedServices, type SharedServices } from './shared-services.ts';
import { spread } from './stats.ts';
import { checkCall, type McpCall, type Revision, runWrk, toolCall, type WrkResult } from './wrk.ts';

const { values: flags } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '4' },
    connections: { type: 'string', default: '32' },
    'no-profile': { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
  },
});
const ROUNDS = flags.quick ? 1 : Number(flags.rounds);
const SECONDS = flags.quick ? 2 : Number(flags.seconds);
const CONNECTIONS = Number(flags.connections);
const say = (s: string) => console.error(s);

const started = performance.now();
ensureWrk(say);
const machine = describeMachine();
const runId = crypto.randomUUID().replace(/-/g, '').slice(0, 8);
const prefix = `b${runId}_`;
const names = toolNames(prefix);
const dir = mkdtempSync(join(tmpdir(), 'nexus-bench-'));
const log = (name: string) => join(dir, `${name}.log`);
let shared: SharedServices | undefined;

async function cleanup() {
  killChildren();
  await shared?.cleanup(runId).catch((e) => say(`cleanup of PostgreSQL/Redis failed: ${e}`));
  rmSync(dir, { recursive: true, force: true });
}
process.on('SIGINT', () => void cleanup().finally(() => process.exit(130)));

try {
  const loadAvg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const loadBefore = loadAvg();
  say(
    `nexus bench ${runId}: ${machine.cpu}, ${machine.cores} cores; server on CPU ${CPUS.server ?? '-'}, wrk + backend on CPU ${CPUS.load ?? '-'}`,
  );

  // --- the backends and the reference servers
  const backendArgv = (delay: number) => [BUN, 'scripts/bench/backend.ts', '--delay', String(delay)];
  const backend = await spawnChild(backendArgv(0), { cpu: CPUS.load, log: log('backend') });
  const slowBackend = await spawnChild(backendArgv(500), { cpu: CPUS.load, log: log('backend-slow') });
  const ceiling = await spawnChild([BUN, 'scripts/bench/baseline.ts', '--mode', 'ceiling'], { cpu: CPUS.server, log: log('ceiling') });
  const floor = await spawnChild([BUN, 'scripts/bench/baseline.ts', '--mode', 'floor', '--backend', backend.url], {
    cpu: CPUS.server,
    log: log('floor'),
  });
  const nodeOk = Bun.which('node') !== null;
  const sdk = await spawnChild(
    nodeOk
      ? ['node', 'scripts/bench/sdk-server.mjs', '--backend', backend.url]
      : [BUN, 'scripts/bench/sdk-server.mjs', '--backend', backend.url],
    {
      cpu: CPUS.server,
      log: log('sdk'),
    },
  );
  const sdkRuntime = nodeOk ? `Node ${machine.node}` : `Bun ${machine.bun} (node not found)`;
  const sdkOnBun = await spawnChild([BUN, 'scripts/bench/sdk-server.mjs', '--backend', backend.url], {
    cpu: CPUS.server,
    log: log('sdk-bun'),
  });
  const ownPids = [backend.pid, slowBackend.pid];
  /** One wrk run with the other processes' CPU share recorded beside it. */
  const measure = async (pid: number, call: McpCall, o: Parameters<typeof runWrk>[1]) => {
    const noise = startNoise([pid, ...ownPids]);
    const r = await runWrk(call, o);
    const n = noise.stop(r.wrkCpuMs);
    r.noisePct = n.otherPct;
    r.serverCpuPct = n.serverPct;
    return r;
  };

  // --- the Nexus gateways: embedded and shared, each plain and with access control + limits
  try {
    shared = await openSharedServices(process.env.DATABASE_URL, process.env.REDIS_URL);
  } catch (e) {
    say(`PostgreSQL/Redis unavailable, shared mode skipped: ${(e as Error).message}`);
  }
  const plainTools = join(dir, 'tools-plain');
  const securedTools = join(dir, 'tools-secured');
  writeBenchTools(plainTools, { prefix, backendUrl: backend.url, slowBackendUrl: slowBackend.url });
  writeBenchTools(securedTools, { prefix, backendUrl: backend.url, limits: true });
  const modes: Mode[] = await startModes({ dir, runId, prefix, plainTools, securedTools, shared, log: say });

  // --- the targets, in the order they alternate
  const targets: Target[] = [];
  const ref = (key: string, label: string, child: Child, call: McpCall) =>
    targets.push({ key, label, group: 'reference', call, pid: child.pid, results: [] });
  ref(
    'ceiling',
    'ceiling: bare Bun.serve, fixed result',
    ceiling,
    toolCall(`${ceiling.url}/mcp`, '2025-11-25', 'get_ticket', { id: '42' }),
  );
  ref(
    'floor',
    'one-hop floor: bare Bun.serve + backend fetch',
    floor,
    toolCall(`${floor.url}/mcp`, '2025-11-25', 'get_ticket', { id: '42' }),
  );
  for (const rev of ['2025-11-25', '2026-07-28'] as const) {
    ref(
      `sdk/${rev}`,
      `hand-written SDK server (${nodeOk ? 'Node' : 'Bun'}) · ${rev}`,
      sdk,
      toolCall(`${sdk.url}/mcp`, rev, 'get_ticket', { id: '42' }),
    );
  }
  if (nodeOk)
    ref(
      'sdk-bun/2026-07-28',
      'hand-written SDK server (Bun) · 2026-07-28',
      sdkOnBun,
      toolCall(`${sdkOnBun.url}/mcp`, '2026-07-28', 'get_ticket', { id: '42' }),
    );
  const nexusTargets: [Mode['id'], Revision, 'uncached' | 'cached'][] = [
    ['embedded', '2025-11-25', 'uncached'],
    ['embedded', '2026-07-28', 'uncached'],
    ['embedded', '2025-11-25', 'cached'],
    ['embedded', '2026-07-28', 'cached'],
    ['embedded+secured', '2026-07-28', 'uncached'],
    ['embedded+secured', '2026-07-28', 'cached'],
    ['shared', '2025-11-25', 'uncached'],
    ['shared', '2026-07-28', 'uncached'],
    ['shared', '2025-11-25', 'cached'],
    ['shared', '2026-07-28', 'cached'],
    ['shared+secured', '2026-07-28', 'uncached'],
    ['shared+secured', '2026-07-28', 'cached'],
  ];
  for (const [id, rev, path] of nexusTargets) {
    const mode = modes.find((m) => m.id === id)!;
    if (!mode.gateway) continue;
    const tool = path === 'cached' ? names.cached : names.uncached;
    targets.push({
      key: `nexus/${id}/${rev}/${path}`,
      label: `Nexus ${id} · ${rev} · ${path}`,
      group: 'nexus',
      mode: id,
      revision: rev,
      path,
      call: toolCall(mode.gateway.mcpUrl, rev, tool, { id: '42' }, mode.auth ?? {}),
      pid: mode.gateway.pid,
      results: [],
    });
  }

  // --- warm-up (and one checked call per target), then the alternating rounds
  say(`warm-up: ${targets.length} targets`);
  for (const t of targets) {
    await checkCall(t.call);
    await runWrk(t.call, { seconds: 1, connections: CONNECTIONS, cpu: CPUS.load });
  }
  const peaks = new Map<number, number>();
  for (let round = 1; round <= ROUNDS; round++) {
    say(`round ${round}/${ROUNDS}`);
    for (const t of targets) {
      await checkCall(t.call); // fails loudly if the target answers an error
      const { value: r, peakMb } = await peakRss(t.pid, () =>
        measure(t.pid, t.call, { seconds: SECONDS, connections: CONNECTIONS, cpu: CPUS.load }),
      );
      peaks.set(t.pid, Math.max(peaks.get(t.pid) ?? 0, peakMb));
      t.results.push(r);
      if (r.errors || r.bad) say(`  ! ${t.label}: ${r.errors} errors, ${r.bad} bad answers`);
      say(
        `  ${t.label.padEnd(58)} ${r.rps.toFixed(0).padStart(7)} req/s  p50 ${r.p50Ms.toFixed(2)} ms  p99 ${r.p99Ms.toFixed(2)} ms  server CPU ${r.serverCpuPct!.toFixed(0)}%  other CPU ${r.noisePct!.toFixed(0)}%`,
      );
    }
  }
  for (const m of modes) if (m.gateway) m.loadRssMb = peaks.get(m.gateway.pid);

  // --- p99 added over the floor at half of Nexus's saturating load (uncached, embedded, 2026-07-28)
  const nexusUncached = targets.find((t) => t.key === 'nexus/embedded/2026-07-28/uncached');
  const floorTarget = targets.find((t) => t.key === 'floor')!;
  let halfLoad: HalfLoad | undefined;
  if (nexusUncached) {
    const offered = spread(nexusUncached.results.map((r) => r.rps)).median / 2;
    // each target gets the number of 1-ms-pausing connections that offers about that rate
    const conns = async (t: Target) => {
      const calib = await runWrk(t.call, { seconds: 2, connections: 4, pauseMs: 1, cpu: CPUS.load });
      return Math.max(1, Math.round(offered / (calib.rps / 4)));
    };
    const sides = [
      { name: 'one-hop floor', target: floorTarget, connections: await conns(floorTarget), results: [] as WrkResult[] },
      {
        name: 'Nexus embedded · 2026-07-28 · uncached',
        target: nexusUncached,
        connections: await conns(nexusUncached),
        results: [] as WrkResult[],
      },
    ];
    halfLoad = { offered, sides };
    say(
      `half load: ~${offered.toFixed(0)} req/s offered as connections pausing 1 ms between calls (${sides.map((x) => x.connections).join(' / ')})`,
    );
    for (let round = 1; round <= ROUNDS; round++) {
      for (const side of sides) {
        const r = await measure(side.target.pid, side.target.call, {
          seconds: SECONDS,
          connections: side.connections,
          pauseMs: 1,
          cpu: CPUS.load,
        });
        side.results.push(r);
        say(
          `  ${side.target.label.padEnd(58)} ${r.rps.toFixed(0).padStart(7)} req/s  p50 ${r.p50Ms.toFixed(2)} ms  p99 ${r.p99Ms.toFixed(2)} ms  server CPU ${r.serverCpuPct!.toFixed(0)}%  other CPU ${r.noisePct!.toFixed(0)}%`,
        );
      }
    }
  }

  // --- fan-in over two instances sharing Redis (or two embedded instances when shared is off)
  const fanInResults: FanInResult[] = [];
  let fanInNote = '';
  const fanMode = modes.find((m) => m.id === 'shared' && m.gateway) ?? modes.find((m) => m.id === 'embedded' && m.gateway);
  if (fanMode?.gateway) {
    fanInNote = fanMode.shared
      ? 'two instances sharing PostgreSQL + Redis'
      : 'two embedded instances (no shared Redis: shared mode unavailable)';
    const second = await startGateway({
      toolsDir: plainTools,
      dataDir: join(dir, 'data-fan-in'),
      log: log('nexus-fan-in'),
      cpu: CPUS.server,
      env: fanMode.env,
    });
    const pair: Gateway[] = [fanMode.gateway, second];
    for (const calls of [10, 100]) {
      const r = await fanIn(pair, names.slow, calls, slowBackend);
      fanInResults.push(r);
      say(
        `fan-in: ${calls} identical calls over 2 instances -> ${r.backendRequests} backend request(s) in ${r.wallMs.toFixed(0)} ms ${JSON.stringify(r.sources)}`,
      );
    }
    await second.stop();
  }

  // --- audit: rows written while the bench ran (tells whether audit is on in each mode)
  for (const m of modes) {
    if (!m.gateway || !m.dataDir) continue;
    m.auditRows = m.shared ? await shared!.count(schemaOf(runId, m.secured), 'audit_log') : auditRows(m.dataDir);
  }
  for (const m of modes) await m.gateway?.stop();
  for (const c of [ceiling, floor, sdk, sdkOnBun]) await c.stop();

  // --- scale, then the profile
  say('scale: 10 / 1,000 / 10,000 tools');
  const scale: ScaleRow[] = await runScale([10, 1000, 10_000], {
    backendUrl: backend.url,
    onRow: (r) =>
      say(
        `  ${r.tools} tools: start-up ${r.startupMs.toFixed(0)} ms, tools/list ${r.listMs['2026-07-28'].toFixed(2)} ms, idle RSS ${r.idleRssMb.toFixed(1)} MB`,
      ),
  });
  await backend.stop();
  await slowBackend.stop();
  let profile: ProfileSummary[] = [];
  if (!flags['no-profile']) {
    say('profile: uncached and cached paths under bun --cpu-prof');
    profile = await runProfile({ seconds: flags.quick ? 3 : 6, connections: CONNECTIONS, log: (l) => say(l) });
  }

  const report = {
    machine,
    runId,
    rounds: ROUNDS,
    seconds: SECONDS,
    connections: CONNECTIONS,
    sdkRuntime,
    pinning:
      CPUS.server !== undefined && Bun.which('taskset')
        ? `taskset: servers under test on CPU ${CPUS.server}; wrk and the stand-in backend on CPU ${CPUS.load}`
        : 'no CPU pinning (taskset or a second core missing)',
    targets,
    modes,
    halfLoad,
    fanIn: fanInResults,
    fanInNote,
    scale,
    profile,
    elapsedS: (performance.now() - started) / 1000,
    loadAvg: { before: loadBefore, after: loadAvg() },
  };
  // idle RSS of `nexus serve` over the example tools (scripts/bench/idle-rss.ts), its own section
  const idle = await measureIdleRss();
  say(`idle RSS, example tools: ${idle.mb.toFixed(1)} MB`);
  // sections that scripts of their own measure (federation.ts, tracing.ts --write, the container test)
  // are kept as they are
  const kept = ['federation', 'tracing', 'container', 'corpus'].map((n) => currentSection(n)).filter(Boolean);
  const md = `${writeReport(report).trimEnd()}\n\n${idleRssSection(idle)}\n${kept.map((k) => `\n${k}\n`).join('')}`;
  if (!flags['no-write']) {
    writeFileSync(join(ROOT, 'docs/benchmarks.md'), md);
    writeFileSync(join(ROOT, 'docs/benchmarks.svg'), chartSvg(targets, machine));
    say(`wrote docs/benchmarks.md and docs/benchmarks.svg (${report.elapsedS.toFixed(0)} s)`);
  }
  console.log(md);
} finally {
  await cleanup();
}
