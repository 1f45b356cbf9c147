// A/B check for hot-path work: Nexus from a git revision (a temporary worktree) against the working
// tree, embedded mode, both driven by wrk in alternating rounds, uncached and cached.
// bun scripts/bench/ab.ts [--base HEAD] [--rounds 3] [--seconds 3] [--revision 2026-07-28] [--secured] [--shared]
// --base-env KEY=VALUE: extra environment for the base's gateway only (KEY= unsets it), e.g. to
// compare a setting: --base HEAD --base-env MIMALLOC_PURGE_DELAY=
// --pause MS: each connection waits MS between calls (an open-ish load, for tail latency: try --connections 9 --pause 1)
// --shared: PostgreSQL + Redis (a schema per gateway, dropped afterwards; tool names unique to the run)
// --cost: each side runs plain and secured (client key + limits), and the cost of security (CPU per
// call and throughput, secured against plain of the same side) is printed per side
// Besides throughput it prints the server's CPU time per call (user + system of the gateway process,
// worker threads included, over the calls wrk made): on a shared machine that is the figure to trust.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startBenchBackend } from './backend.ts';
import { createKey, type Gateway, startGateway, toolNames, writeBenchTools } from './nexus.ts';
import { pidCpuMs } from './noise.ts';
import { CPUS, killChildren, ROOT } from './proc.ts';
import { openSharedServices, type SharedServices } from './shared-services.ts';
import { median } from './stats.ts';
import { checkCall, type Revision, runWrk, toolCall } from './wrk.ts';

const { values: f } = parseArgs({
  options: {
    base: { type: 'string', default: 'HEAD' },
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '32' },
    revision: { type: 'string', default: '2026-07-28' },
    secured: { type: 'boolean', default: false },
    shared: { type: 'boolean', default: false },
    cost: { type: 'boolean', default: false },
    pause: { type: 'string', default: '0' },
    'base-env': { type: 'string', multiple: true, default: [] },
  },
});
const rev = f.revision as Revision;
const dir = mkdtempSync(join(tmpdir(), 'nexus-ab-'));
const worktree = join(dir, 'base');
execFileSync('git', ['worktree', 'add', '--detach', worktree, f.base], { cwd: ROOT, stdio: 'ignore' });
symlinkSync(join(ROOT, 'node_modules'), join(worktree, 'node_modules'));
const runId = crypto.randomUUID().replace(/-/g, '').slice(0, 8);
let shared: SharedServices | undefined;
const cleanup = async () => {
  killChildren();
  await shared?.cleanup(runId).catch(() => {});
  execFileSync('git', ['worktree', 'remove', '--force', worktree], { cwd: ROOT, stdio: 'ignore' });
  rmSync(dir, { recursive: true, force: true });
};
process.on('SIGINT', () => void cleanup().finally(() => process.exit(130)));

try {
  const backend = startBenchBackend();
  const prefix = `ab${runId}_`;
  if (f.shared) shared = await openSharedServices();
  const masterKey = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64');
  const names = toolNames(prefix);
  const baseEnv = Object.fromEntries(
    f['base-env'].map((kv) => {
      const at = kv.indexOf('=');
      return [kv.slice(0, at), kv.slice(at + 1) || undefined];
    }),
  );
  const start = async (label: string, cwd: string, extra: Record<string, string | undefined> = {}, secured = f.secured) => {
    const tools = join(dir, `${label}-tools`);
    const data = join(dir, `${label}-data`);
    writeBenchTools(tools, { prefix, backendUrl: backend.url, limits: secured });
    const env: Record<string, string> = shared
      ? { DATABASE_URL: await shared.schemaUrl(`ab_${runId}_${targets.length}`), REDIS_URL: shared.redisUrl, NEXUS_MASTER_KEY: masterKey }
      : {};
    const key = secured ? (await createKey(data, { NEXUS_DATA_DIR: data, ...env })).key : undefined;
    const gw: Gateway = await startGateway({
      toolsDir: tools,
      dataDir: data,
      log: join(dir, `${label}.log`),
      cpu: CPUS.server,
      env: { ...env, ...extra },
      cwd,
    });
    return { label, gw, auth: key ? { authorization: `Bearer ${key}` } : undefined };
  };
  const targets: Awaited<ReturnType<typeof start>>[] = [];
  targets.push(await start(`base(${f.base})`, worktree, baseEnv));
  if (f.cost) targets.push(await start(`base(${f.base})+secured`, worktree, baseEnv, true));
  targets.push(await start('work', ROOT));
  if (f.cost) targets.push(await start('work+secured', ROOT, {}, true));
  const results = new Map<string, { rps: number[]; p99: number[]; cpuUs: number[] }>();
  for (let round = 0; round < Number(f.rounds); round++) {
    for (const kind of ['uncached', 'cached'] as const) {
      for (const t of targets) {
        const call = toolCall(t.gw.mcpUrl, rev, names[kind], { id: kind === 'cached' ? '42' : '7' }, t.auth);
        await checkCall(call);
        console.error(`round ${round + 1}: ${t.label} ${kind}`);
        const cpu0 = pidCpuMs(t.gw.pid);
        const r = await runWrk(call, {
          seconds: Number(f.seconds),
          connections: Number(f.connections),
          cpu: CPUS.load,
          pauseMs: Number(f.pause),
        });
        if (r.errors || r.bad) throw new Error(`${t.label} ${kind}: ${r.errors} errors, ${r.bad} bad answers`);
        const k = `${kind} ${t.label}`;
        const got = results.get(k) ?? { rps: [], p99: [], cpuUs: [] };
        got.cpuUs.push(((pidCpuMs(t.gw.pid) - cpu0) * 1000) / r.requests);
        got.rps.push(r.rps);
        got.p99.push(r.p99Ms);
        results.set(k, got);
      }
    }
  }
  for (const [k, v] of results) {
    console.log(
      `${k.padEnd(28)} median ${Math.round(median(v.rps))} req/s  p99 ${median(v.p99).toFixed(2)} ms  [${v.rps.map(Math.round).join(', ')}]` +
        `  CPU ${median(v.cpuUs).toFixed(0)} µs/call (min ${Math.min(...v.cpuUs).toFixed(0)}) [${v.cpuUs.map((c) => c.toFixed(0)).join(', ')}]`,
    );
  }
  // each round's secured run against the plain run just before it: the machine's load changes less
  // between the two than over the whole run
  if (f.cost)
    for (const kind of ['uncached', 'cached'])
      for (const side of [`base(${f.base})`, 'work']) {
        const plain = results.get(`${kind} ${side}`)!;
        const sec = results.get(`${kind} ${side}+secured`)!;
        const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
        const cpu = sec.cpuUs.map((c, i) => c / plain.cpuUs[i]! - 1);
        const rps = sec.rps.map((r, i) => r / plain.rps[i]! - 1);
        console.log(
          `cost ${kind} ${side.padEnd(20)} CPU/call ${pct(median(cpu))} [${cpu.map(pct).join(', ')}]  throughput ${pct(median(rps))} [${rps.map(pct).join(', ')}]`,
        );
      }
  backend.stop();
} finally {
  await cleanup();
}
process.exit(process.exitCode ?? 0); // the PostgreSQL/Redis clients of --shared would keep the process alive
