// docs/benchmarks.md from one run: machine, method, the table, the issue's targets with pass/fail,
// feature availability per mode, half load, fan-in, scale and the profile summary.
import type { FanInResult } from './fan-in.ts';
import type { Features, Gateway } from './nexus.ts';
import { NEXUS_BUILD, SERVE_ENV } from './proc.ts';
import type { ProfileRow, ProfileSummary } from './profile.ts';
import type { ScaleRow } from './scale.ts';
import type { Machine } from './setup.ts';
import { fmt, fmtSpread, type Spread, spread } from './stats.ts';
import type { McpCall, Revision, WrkResult } from './wrk.ts';

export type ModeId = 'embedded' | 'embedded+secured' | 'shared' | 'shared+secured';

export interface Mode {
  readonly id: ModeId;
  readonly shared: boolean;
  readonly secured: boolean;
  /** Features this build did not enforce (the bench still measured the mode). */
  readonly unavailable: string[];
  skipped?: string;
  /** Environment the gateway runs with (DATABASE_URL, REDIS_URL, master key in shared modes). */
  env: Record<string, string>;
  gateway?: Gateway;
  dataDir?: string;
  auth?: Record<string, string>;
  features?: Features;
  startupMs?: number;
  idleRssMb?: number;
  loadRssMb?: number;
  redisKeys?: number;
  auditRows?: number;
}

export interface Target {
  readonly key: string;
  readonly label: string;
  readonly group: 'reference' | 'nexus';
  readonly mode?: ModeId;
  readonly revision?: Revision;
  readonly path?: 'uncached' | 'cached';
  readonly call: McpCall;
  readonly pid: number;
  readonly results: WrkResult[];
}

export interface HalfLoad {
  /** Requests/s offered: half of Nexus's saturated rate. */
  readonly offered: number;
  readonly sides: readonly { name: string; connections: number; results: WrkResult[] }[];
}

export interface Report {
  readonly machine: Machine;
  readonly runId: string;
  readonly rounds: number;
  readonly seconds: number;
  readonly connections: number;
  readonly sdkRuntime: string;
  readonly pinning: string;
  readonly targets: readonly Target[];
  readonly modes: readonly Mode[];
  readonly halfLoad?: HalfLoad;
  readonly loadAvg: { before: string; after: string };
  readonly fanIn: readonly FanInResult[];
  readonly fanInNote: string;
  readonly scale: readonly ScaleRow[];
  readonly profile: readonly ProfileSummary[];
  readonly elapsedS: number;
}

const rps = (t: Target | undefined): Spread | undefined => (t?.results.length ? spread(t.results.map((r) => r.rps)) : undefined);
const pct = (x: number) => `${fmt(100 * x, 0)}%`;
// target rows: one decimal, so a value just under a goal never prints as the goal itself
const pct1 = (x: number) => `${fmt(100 * x, 1)}%`;
const verdict = (ok: boolean | undefined) => (ok === undefined ? 'n/a' : ok ? '**pass**' : '**FAIL**');
const noise = (xs: readonly WrkResult[]) => {
  const n = xs.map((x) => x.noisePct ?? NaN).filter(Number.isFinite);
  return n.length ? `${fmt(Math.max(...n), 0)}%` : '-';
};
const serverCpu = (xs: readonly WrkResult[]) => {
  const n = xs.map((x) => x.serverCpuPct ?? NaN).filter(Number.isFinite);
  return n.length ? `${fmt(Math.min(...n), 0)}%` : '-';
};
const yes = (b: boolean | undefined) => (b === undefined ? '-' : b ? 'yes' : '**no**');

/** The reference a row is compared with: cached -> ceiling, everything else with a backend hop -> floor. */
function reference(t: Target, byKey: Map<string, Target>): { name: string; target: Target } | undefined {
  if (t.key === 'ceiling') return undefined;
  if (t.key === 'floor' || t.path === 'cached') return { name: 'ceiling', target: byKey.get('ceiling')! };
  return { name: 'floor', target: byKey.get('floor')! };
}

function resultsTable(r: Report, byKey: Map<string, Target>): string[] {
  const rows = r.targets.map((t) => {
    const s = rps(t)!;
    const ref = reference(t, byKey);
    const refRps = ref && rps(ref.target);
    const bad = t.results.reduce((n, x) => n + x.errors + x.bad, 0);
    return `| ${t.label} | ${fmtSpread(s)} | ${fmtSpread(spread(t.results.map((x) => x.p50Ms)))} | ${fmtSpread(spread(t.results.map((x) => x.p99Ms)))} | ${ref && refRps ? `${pct(s.median / refRps.median)} of ${ref.name}` : ''} | ${bad || ''} | ${serverCpu(t.results)} | ${noise(t.results)} |`;
  });
  return [
    '| target | req/s median (min–max) | p50 ms | p99 ms | ratio | errors | server CPU | other CPU |',
    '|---|--:|--:|--:|--:|--:|--:|--:|',
    ...rows,
  ];
}

function modeAvailable(m: Mode | undefined, need: (f: Features) => boolean | undefined): boolean {
  return !!m?.gateway && !!m.features && need(m.features) === true;
}

function targetsTable(r: Report, byKey: Map<string, Target>): string[] {
  const out: string[] = ['| target (issue 8) | measured | goal | result |', '|---|--:|--:|:-:|'];
  const ceiling = rps(byKey.get('ceiling'))!.median;
  const floorRps = rps(byKey.get('floor'))!.median;
  const embedded = r.modes.find((m) => m.id === 'embedded');
  for (const [mode, rev] of [
    ['embedded', '2026-07-28'],
    ['embedded', '2025-11-25'],
    ['shared', '2026-07-28'],
  ] as const) {
    const c = rps(byKey.get(`nexus/${mode}/${rev}/cached`));
    const m = r.modes.find((x) => x.id === mode);
    if (!c) continue;
    const cacheOn = modeAvailable(m, (f) => f.cache);
    out.push(
      `| cached tools/call, ${mode}, ${rev} | ${pct1(c.median / ceiling)} of ceiling${cacheOn ? '' : ' (cache not active)'} | ≥ 40% | ${cacheOn ? verdict(c.median / ceiling >= 0.4) : 'n/a'} |`,
    );
  }
  for (const [mode, rev] of [
    ['embedded', '2026-07-28'],
    ['embedded', '2025-11-25'],
    ['shared', '2026-07-28'],
  ] as const) {
    const u = rps(byKey.get(`nexus/${mode}/${rev}/uncached`));
    if (u)
      out.push(
        `| uncached tools/call, ${mode}, ${rev} | ${pct1(u.median / floorRps)} of floor | ≥ 50% | ${verdict(u.median / floorRps >= 0.5)} |`,
      );
  }
  if (r.halfLoad) {
    const [floor, nexus] = r.halfLoad.sides;
    const added = spread(nexus!.results.map((x) => x.p99Ms)).median - spread(floor!.results.map((x) => x.p99Ms)).median;
    out.push(
      `| p99 added over the floor at half load (embedded, 2026-07-28, uncached) | ${fmt(added)} ms | < 2 ms | ${verdict(added < 2)} |`,
    );
  }
  for (const base of ['embedded', 'shared'] as const) {
    const sec = r.modes.find((m) => m.id === `${base}+secured`);
    const auditAlwaysOn = (r.modes.find((m) => m.id === base)?.auditRows ?? 0) > 0;
    const what = auditAlwaysOn
      ? 'access control + limits (audit is on in both: it cannot be turned off)'
      : 'access control + limits + audit';
    const enforced = modeAvailable(sec, (f) => f.access && f.limits);
    for (const path of ['uncached', 'cached'] as const) {
      const plain = rps(byKey.get(`nexus/${base}/2026-07-28/${path}`));
      const secured = rps(byKey.get(`nexus/${base}+secured/2026-07-28/${path}`));
      if (!plain || !secured) continue;
      const cost = 1 - secured.median / plain.median;
      out.push(
        `| cost of ${what}, ${base}, ${path} | ${pct1(cost)}${enforced ? '' : ' (not all enforced, see modes)'} | < 15% | ${enforced ? verdict(cost < 0.15) : 'n/a'} |`,
      );
    }
  }
  const ten = r.fanIn.find((f) => f.calls === 10);
  if (ten)
    out.push(
      `| 10 identical concurrent calls over 2 instances | ${ten.backendRequests} backend request(s) | 1 | ${verdict(ten.backendRequests === 1)} |`,
    );
  const k = r.scale.find((s) => s.tools === 1000);
  if (k) {
    out.push(`| start-up with 1,000 tools | ${fmt(k.startupMs, 0)} ms | < 1,000 ms | ${verdict(k.startupMs < 1000)} |`);
    const list = Math.max(k.listMs['2025-11-25'], k.listMs['2026-07-28']);
    out.push(`| tools/list with 1,000 tools (slower revision) | ${fmt(list)} ms | < 20 ms | ${verdict(list < 20)} |`);
    out.push(`| idle RSS with 1,000 tools | ${fmt(k.idleRssMb, 1)} MB | < 80 MB | ${verdict(k.idleRssMb < 80)} |`);
  }
  if (embedded?.idleRssMb)
    out.push(`| idle RSS, embedded, bench tools | ${fmt(embedded.idleRssMb, 1)} MB | < 80 MB | ${verdict(embedded.idleRssMb < 80)} |`);
  return out;
}

function modesTable(r: Report): string[] {
  return [
    '| mode | start-up | idle RSS | peak RSS under load | cache | access control | limits | Redis keys | audit rows | not available in this build |',
    '|---|--:|--:|--:|:-:|:-:|:-:|--:|--:|---|',
    ...r.modes.map((m) =>
      m.skipped
        ? `| ${m.id} | | | | | | | | | skipped: ${m.skipped} |`
        : `| ${m.id} | ${fmt(m.startupMs ?? NaN, 0)} ms | ${fmt(m.idleRssMb ?? NaN, 1)} MB | ${fmt(m.loadRssMb ?? NaN, 1)} MB | ${yes(m.features?.cache)} | ${m.secured ? yes(m.features?.access) : 'off'} | ${m.secured ? yes(m.features?.limits) : 'off'} | ${m.shared ? (m.redisKeys ?? '-') : ''} | ${m.auditRows ?? '-'} | ${m.unavailable.join('; ')} |`,
    ),
  ];
}

const profRow = (x: ProfileRow) => `| ${fmt(x.pct, 1)}% | ${x.fn.replace(/\|/g, '\\|')} | \`${x.where}\` |`;

function profileSection(p: readonly ProfileSummary[]): string[] {
  if (!p.length) return ['Profile skipped (`--no-profile`).'];
  return p.flatMap((s) => [
    `### ${s.label}`,
    '',
    `${fmt(s.totalMs, 0)} ms of busy CPU, ${fmt(s.rps ?? NaN, 0)} req/s while profiled (the profiler slows the gateway).${s.note ? ` Note: ${s.note}.` : ''}`,
    '',
    'Self time by area: ' +
      s.areas
        .slice(0, 8)
        .map((a) => `${a.fn} ${fmt(a.pct, 1)}%`)
        .join(', ') +
      '.',
    '',
    '| self | function | where |',
    '|--:|---|---|',
    ...s.self.slice(0, 15).map(profRow),
    '',
    '| zod validation | called from | where |',
    '|--:|---|---|',
    ...s.validation.slice(0, 6).map(profRow),
    '',
    '| inclusive | function | where |',
    '|--:|---|---|',
    ...s.inclusive.slice(0, 12).map(profRow),
    '',
  ]);
}

/** A warning when other processes took a noticeable share of the machine during the measurements. */
function disturbance(r: Report): string[] {
  const worst = r.targets.flatMap((t) => t.results.map((x) => ({ t, n: x.noisePct ?? 0 }))).sort((a, b) => b.n - a.n)[0];
  if (!worst || worst.n < 20) return [];
  const hit = r.targets.filter((t) => t.results.some((x) => (x.noisePct ?? 0) >= 20)).length;
  return [
    `> Other processes used up to ${fmt(worst.n, 0)}% of the machine during ${hit} of ${r.targets.length} targets' measurements (see "other CPU"; worst: ${worst.t.label}). Alternating rounds spread that over all targets, but ratios against the ceiling, whose per-request cost is smallest, move the most: compare with a rerun on a quiet machine.`,
    '',
  ];
}

export function writeReport(r: Report): string {
  const byKey = new Map(r.targets.map((t) => [t.key, t]));
  const m = r.machine;
  const half = r.halfLoad;
  return [
    '# Benchmarks',
    '',
    `Produced by \`bun run bench\` (\`scripts/bench/run.ts\`) on ${new Date().toISOString().slice(0, 10)}; the whole run took ${fmt(r.elapsedS, 0)} s.`,
    'Rerun it on any machine with Bun, Node and Debian packages; it installs `wrk` when missing and starts everything itself on loopback.',
    '',
    '## Machine and method',
    '',
    `- CPU: ${m.cpu}, ${m.cores} cores; RAM ${fmt(m.ramGb, 1)} GB; Linux ${m.kernel}`,
    `- Bun ${m.bun}, Node ${m.node}, wrk ${m.wrk}`,
    `- Nexus runs as ${NEXUS_BUILD}; the profile always runs from source (it needs Bun's --cpu-prof).`,
    `- ${r.pinning}. PostgreSQL and Redis are not pinned.`,
    `- Every Bun process of the bench (Nexus, ceiling, floor, backend) runs with ${Object.entries(SERVE_ENV)
      .map(([k, v]) => `\`${k}=${v}\``)
      .join(' ')}, as the Docker image and the systemd unit set it for \`nexus serve\`.`,
    `- The machine is shared: load average ${r.loadAvg.before} before the run, ${r.loadAvg.after} after. "server CPU" is the lowest CPU use of the server under test in any round (% of one core: near 100% means the server was the bottleneck; lower means wrk and the backend on the other core were). "other CPU" is the largest share of the whole machine that processes other than the target, the backend and wrk used during any of its measurements (in shared modes this includes PostgreSQL and Redis).`,
    `- wrk -t1 -c${r.connections}, ${r.seconds} s per measurement after a 1 s warm-up per target; ${r.rounds} rounds, targets alternating within each round (A B C …, A B C …); medians with min–max over rounds.`,
    '- Every answer is checked by the wrk script (HTTP 200, a JSON-RPC result, not `isError`), and one call per target is checked by hand before each measurement.',
    '- The stand-in backend (`scripts/bench/backend.ts`) answers a ~300-byte JSON ticket; every target returns it as a text block plus `structuredContent`.',
    `- The hand-written alternative (\`scripts/bench/sdk-server.mjs\`) is \`McpServer\` + \`registerTool\` with a zod schema behind \`createMcpHandler\`, served by \`node:http\` under ${r.sdkRuntime}.`,
    '- 2025-11-25 calls are stateless `tools/call` POSTs without `initialize`; 2026-07-28 calls carry the `_meta` envelope and the `Mcp-Method`/`Mcp-Name` headers.',
    '- Secured modes: a client key (`nexus keys create`) sent as `Authorization: Bearer`, `rate_limit` on every tool and on the backend (1,000,000,000 per minute so that no bench call is refused; a 1-per-minute probe tool proves limits are enforced).',
    '- Shared modes: `DATABASE_URL` with a schema of its own per gateway (`?search_path=`, dropped afterwards) and `REDIS_URL`; Redis keys are kept apart by tool names unique to the run (deleted afterwards).',
    '',
    '![requests per second by target](benchmarks.svg)',
    '',
    '## Throughput and latency (saturating load)',
    '',
    ...resultsTable(r, byKey),
    '',
    '## Targets',
    '',
    ...disturbance(r),
    ...targetsTable(r, byKey),
    '',
    '## Modes: what each gateway enforced',
    '',
    ...modesTable(r),
    '',
    '## Half load',
    '',
    half
      ? `Offered load ≈ half of Nexus's saturated rate (${fmt(half.offered, 0)} req/s): each target gets the number of connections, each pausing 1 ms between calls, that offers about that rate (${half.sides.map((x) => `${x.name}: ${x.connections}`).join(', ')}).`
      : 'Not measured (Nexus embedded did not start).',
    '',
    ...(half
      ? [
          '| target | req/s | p50 ms | p99 ms | other CPU |',
          '|---|--:|--:|--:|--:|',
          ...half.sides.map(
            (x) =>
              `| ${x.name} | ${fmtSpread(spread(x.results.map((y) => y.rps)))} | ${fmtSpread(spread(x.results.map((y) => y.p50Ms)))} | ${fmtSpread(spread(x.results.map((y) => y.p99Ms)))} | ${noise(x.results)} |`,
          ),
        ]
      : []),
    '',
    '## Fan-in',
    '',
    r.fanIn.length
      ? `Identical concurrent calls on a cached tool whose backend takes 500 ms, round-robin over ${r.fanInNote}.`
      : 'Not measured.',
    '',
    ...(r.fanIn.length
      ? [
          '| calls | instances | backend requests | wall ms | answers by source |',
          '|--:|--:|--:|--:|---|',
          ...r.fanIn.map(
            (f) =>
              `| ${f.calls} | ${f.instances} | ${f.backendRequests} | ${fmt(f.wallMs, 0)} | ${Object.entries(f.sources)
                .map(([k, v]) => `${k}: ${v}`)
                .join(', ')} |`,
          ),
        ]
      : []),
    '',
    '## Scale',
    '',
    'Start-up is process spawn to the first `/healthz` 200 (median of 3, 1 for 10,000 tools); `tools/list` is the median round trip of sequential calls from the bench process; RSS is VmRSS after start-up.',
    '',
    '| tools | start-up ms | tools/list ms (2025-11-25) | tools/list ms (2026-07-28) | list size | idle RSS MB |',
    '|--:|--:|--:|--:|--:|--:|',
    ...r.scale.map(
      (s) =>
        `| ${fmt(s.tools, 0)} | ${fmt(s.startupMs, 0)} | ${fmt(s.listMs['2025-11-25'])} | ${fmt(s.listMs['2026-07-28'])} | ${fmt(s.listBytes / 1024, 0)} KB | ${fmt(s.idleRssMb, 1)} |`,
    ),
    '',
    '## Profile',
    '',
    'The gateway under `bun --cpu-prof` while wrk drives one tool (`scripts/bench/profile.ts`; run it alone for the top 25). Native frames are named after their nearest JavaScript caller; "zod validation" is time inside zod by the first caller outside it; inclusive time covers synchronous stacks only (what runs after an `await` is not counted under its caller).',
    '',
    ...profileSection(r.profile),
  ].join('\n');
}
