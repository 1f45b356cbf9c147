// CPU profile of the Nexus hot paths: the gateway runs under `bun --cpu-prof` while wrk drives one
// tool, then the .cpuprofile is summarised: self time by function (name + file + line), inclusive
// time, and self time by area (a package, a src/ directory, the runtime).
// Alone: bun scripts/bench/profile.ts [--seconds 8] [--revision 2026-07-28]   profiles uncached + cached
//        bun scripts/bench/profile.ts --traced                                  the same with tracing at 100%
//                                                                               to a local OTLP/HTTP sink
//        bun scripts/bench/profile.ts --shared [--secured]                      PostgreSQL + Redis [key + limits]
//        bun scripts/bench/profile.ts FILE.cpuprofile [...]                     summarises existing files
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startBenchBackend } from './backend.ts';
import { createKey, type Gateway, probeFeatures, startGateway, toolNames, writeBenchTools } from './nexus.ts';
import { CPUS, killChildren, ROOT, until } from './proc.ts';
import { openSharedServices } from './shared-services.ts';
import { checkCall, type Revision, runWrk, toolCall } from './wrk.ts';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileRow {
  readonly fn: string;
  readonly where: string;
  readonly ms: number;
  readonly pct: number;
}

export interface ProfileSummary {
  readonly label: string;
  readonly totalMs: number;
  readonly samples: number;
  /** wrk's throughput while profiling (the profiler itself slows the gateway down). */
  readonly rps?: number;
  readonly self: ProfileRow[];
  readonly inclusive: ProfileRow[];
  readonly areas: ProfileRow[];
  /** Time inside zod (schema validation), by the first caller outside zod: who validates what. */
  readonly validation: ProfileRow[];
  readonly note?: string;
}

const IDLE = new Set(['(idle)', '(program)']);

/** Where a frame's code lives, shortened: `src/mcp/server.ts:42`, `elysia`, `(native)`. */
function location(f: CallFrame): string {
  const url = f.url.replace(/^file:\/\//, '');
  if (!url) return '(native)';
  const rel = url.startsWith(ROOT) ? url.slice(ROOT.length) : url;
  return `${rel}:${f.lineNumber + 1}`;
}

/** The area a frame belongs to: an npm package, a src/ directory, the runtime. */
export function area(f: CallFrame): string {
  const url = f.url.replace(/^file:\/\//, '');
  if (!url) return f.functionName.startsWith('(') ? f.functionName : '(native code)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) return pkg[1]!;
  const src = /\/(src|scripts)\/(?:([^/]+)\/)?[^/]+$/.exec(url);
  if (src && url.startsWith(ROOT)) return src[2] ? `${src[1]}/${src[2]}/` : `${src[1]}/`;
  if (/^(node|bun|internal):|^\[?native/.test(url) || !url.startsWith('/')) return '(bun runtime JS)';
  return url;
}

export function summariseProfile(p: CpuProfile, label: string, top = 25): ProfileSummary {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // native frames have no file: name them after the nearest JS caller, which is what one can change
  const nativeInCaller = (node: ProfileNode): CallFrame => {
    for (let id = parent.get(node.id); id !== undefined; id = parent.get(id)) {
      const f = byId.get(id)!.callFrame;
      if (f.url)
        return { ...f, functionName: `${node.callFrame.functionName || '(anonymous)'} [native] in ${f.functionName || '(anonymous)'}` };
    }
    return node.callFrame;
  };
  const self = new Map<string, { fn: string; where: string; ms: number }>();
  const incl = new Map<string, { fn: string; where: string; ms: number }>();
  const areas = new Map<string, number>();
  const validation = new Map<string, { fn: string; where: string; ms: number }>();
  const isZod = (f: CallFrame) => f.url.includes('/node_modules/zod/');
  let total = 0;
  const add = (m: Map<string, { fn: string; where: string; ms: number }>, f: CallFrame, ms: number) => {
    const where = location(f);
    const key = `${f.functionName}@${where}`;
    const e = m.get(key) ?? { fn: f.functionName || '(anonymous)', where, ms: 0 };
    e.ms += ms;
    m.set(key, e);
  };
  // timeDeltas[i + 1] is the time spent in the state seen at sample i
  for (let i = 0; i < p.samples.length; i++) {
    const ms = (p.timeDeltas[i + 1] ?? p.timeDeltas[i] ?? 0) / 1000;
    const node = byId.get(p.samples[i]!);
    if (!node || IDLE.has(node.callFrame.functionName)) continue;
    total += ms;
    add(self, node.callFrame.url ? node.callFrame : nativeInCaller(node), ms);
    const a = area(node.callFrame);
    areas.set(a, (areas.get(a) ?? 0) + ms);
    let outerZod: number | undefined;
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) if (isZod(byId.get(id)!.callFrame)) outerZod = id;
    if (outerZod !== undefined) {
      for (let id = parent.get(outerZod); id !== undefined; id = parent.get(id)) {
        const f = byId.get(id)!.callFrame;
        if (f.url) {
          add(validation, f, ms);
          break;
        }
      }
    }
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const f = byId.get(id)!.callFrame;
      const key = `${f.functionName}@${f.url}:${f.lineNumber}`;
      if (seen.has(key) || f.functionName === '(root)') continue;
      seen.add(key);
      add(incl, f, ms);
    }
  }
  const rows = (m: Iterable<{ fn: string; where: string; ms: number }>) =>
    [...m]
      .sort((a, b) => b.ms - a.ms)
      .slice(0, top)
      .map((r) => ({ ...r, pct: (100 * r.ms) / (total || 1) }));
  return {
    label,
    totalMs: total,
    samples: p.samples.length,
    self: rows(self.values()),
    inclusive: rows(incl.values()),
    areas: rows([...areas].map(([where, ms]) => ({ fn: where, where: '', ms }))),
    validation: rows(validation.values()),
  };
}

export function formatSummary(s: ProfileSummary, top = 25): string {
  const line = (r: ProfileRow) =>
    `${r.pct.toFixed(1).padStart(5)}%  ${r.ms.toFixed(0).padStart(6)} ms  ${r.fn.slice(0, 60).padEnd(60)}  ${r.where}`;
  return [
    `== ${s.label}: ${s.totalMs.toFixed(0)} ms busy CPU over ${s.samples} samples${s.rps ? `, ${s.rps.toFixed(0)} req/s under the profiler` : ''}`,
    ...(s.note ? [`   note: ${s.note}`] : []),
    `-- top ${top} by self time`,
    ...s.self.slice(0, top).map(line),
    `-- self time by area`,
    ...s.areas.slice(0, 12).map((r) => `${r.pct.toFixed(1).padStart(5)}%  ${r.ms.toFixed(0).padStart(6)} ms  ${r.fn}`),
    `-- zod validation by caller`,
    ...s.validation.slice(0, 8).map(line),
    `-- top ${Math.min(top, 20)} by inclusive time (synchronous stacks only: time after an await is not under its caller)`,
    ...s.inclusive.slice(0, Math.min(top, 20)).map(line),
  ].join('\n');
}

export interface ProfileRunOptions {
  readonly seconds?: number;
  readonly connections?: number;
  readonly revision?: Revision;
  readonly log?: (line: string) => void;
  /** Extra environment for the gateway (tracing settings). */
  readonly env?: Readonly<Record<string, string>>;
  /** PostgreSQL + Redis (a schema per gateway, dropped afterwards) instead of the embedded stores. */
  readonly shared?: boolean;
  /** A client key and rate limits on both tools, as the secured bench targets have. */
  readonly secured?: boolean;
}

/** Profiles the uncached and the cached tools/call paths, each in its own gateway process. */
export async function runProfile(o: ProfileRunOptions = {}): Promise<ProfileSummary[]> {
  const dir = mkdtempSync(join(tmpdir(), 'nexus-bench-prof-'));
  const rev = o.revision ?? '2026-07-28';
  const backend = startBenchBackend();
  const prefix = `p${crypto.randomUUID().slice(0, 6)}_`;
  const toolsDir = join(dir, 'tools');
  writeBenchTools(toolsDir, { prefix, backendUrl: backend.url, limits: o.secured ?? false });
  const names = toolNames(prefix);
  const out: ProfileSummary[] = [];
  let live: Gateway | undefined;
  const shared = o.shared ? await openSharedServices() : undefined;
  const masterKey = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64');
  try {
    for (const [label, tool] of [
      ['uncached tools/call (backend hop)', names.uncached],
      ['cached tools/call (hit)', names.cached],
    ] as const) {
      const name = `${tool}.cpuprofile`;
      const dataDir = join(dir, `data-${tool}`);
      const stores: Record<string, string> = shared
        ? { DATABASE_URL: await shared.schemaUrl(tool), REDIS_URL: shared.redisUrl, NEXUS_MASTER_KEY: masterKey }
        : {};
      const key = o.secured ? (await createKey(dataDir, { NEXUS_DATA_DIR: dataDir, ...stores })).key : undefined;
      const auth = key ? { authorization: `Bearer ${key}` } : undefined;
      const gw = (live = await startGateway({
        toolsDir,
        dataDir,
        log: join(dir, `${tool}.log`),
        cpu: CPUS.server,
        env: { NEXUS_DRAIN_TIMEOUT: '1s', ...stores, ...o.env },
        bunFlags: ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${name}`],
      }));
      const features = await probeFeatures(gw, prefix, rev, auth, o.secured);
      const call = toolCall(gw.mcpUrl, rev, tool, { id: '42' }, auth);
      await checkCall(call);
      const r = await runWrk(call, { seconds: o.seconds ?? 8, connections: o.connections ?? 32, cpu: CPUS.load });
      await gw.stop('SIGTERM');
      live = undefined;
      const file = join(dir, name);
      await until(async () => existsSync(file), 10_000, `the profile ${file}`);
      const s = summariseProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, `${label}, ${rev}`);
      const note =
        tool === names.cached && !features.cache ? 'the cache is not active in this build: this path still calls the backend' : undefined;
      const summary = { ...s, rps: r.rps, ...(note && { note }) };
      o.log?.(formatSummary(summary));
      out.push(summary);
    }
  } finally {
    await live?.stop(); // a gateway left by a failed run (wrk missing, a bad answer) would burn CPU for good
    backend.stop();
    await shared?.cleanup(prefix).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      seconds: { type: 'string' },
      revision: { type: 'string' },
      traced: { type: 'boolean' },
      shared: { type: 'boolean' },
      secured: { type: 'boolean' },
    },
  });
  process.on('SIGINT', () => {
    killChildren();
    process.exit(130);
  });
  if (positionals.length) {
    for (const f of positionals) console.log(formatSummary(summariseProfile(JSON.parse(readFileSync(f, 'utf8')) as CpuProfile, f)));
  } else {
    // the collector stand-in for --traced: takes every export and answers at once
    const sink = values.traced
      ? Bun.serve({
          port: 0,
          hostname: '127.0.0.1',
          fetch: async (req) => {
            await req.arrayBuffer();
            return Response.json({});
          },
        })
      : undefined;
    await runProfile({
      ...(sink && { env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${sink.port}`, OTEL_TRACES_SAMPLER: 'always_on' } }),
      seconds: Number(values.seconds ?? 8),
      shared: values.shared ?? false,
      secured: values.secured ?? false,
      revision: values.revision === '2025-11-25' ? '2025-11-25' : '2026-07-28',
      log: (l) => console.log(`${l}\n`),
    });
    sink?.stop(true);
    if (values.shared) process.exit(process.exitCode ?? 0); // the PostgreSQL/Redis clients would keep it alive
  }
}
