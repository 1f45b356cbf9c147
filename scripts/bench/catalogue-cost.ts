// What a big catalogue costs the gateway: `nexus check` (wall and CPU), `serve` start-up to /readyz
// (wall and the process's CPU at that moment), idle RSS once settled, and the tools/list bytes. CPU
// time (user+sys of the process) is the figure to compare on a shared machine; wall time includes
// waiting for a core. With another checkout (`--base DIR`, e.g. `git worktree add /tmp/base main`)
// both run in alternating rounds, so both see the same load; with NEXUS_BENCH_BINARY set, a checkout
// that has its own dist/nexus (`bun run build` there) runs as its executable too, like for like.
// Used by scripts/bench/catalogue.ts.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, NEXUS_BINARY, pinned, ROOT, settledRssMb, nexusArgv as sourceArgv, until } from './proc.ts';
import { median } from './stats.ts';
import { toolsList } from './wrk.ts';

export interface CostSample {
  readonly checkMs: number;
  readonly checkCpuMs: number;
  readonly readyMs: number;
  readonly readyCpuMs: number;
  readonly idleRssMb: number;
  readonly listBytes: number;
  /** The second start on the same data dir: tool files from serve's start-up cache (load-cache.ts). */
  readonly cachedReadyCpuMs: number;
  readonly cachedReadyMs: number;
  readonly cachedIdleRssMb: number;
}

const TICKS_PER_S = 100; // Linux USER_HZ
/** user+sys CPU of a live process, from /proc/<pid>/stat. */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_S;
}

async function checkOnce(root: string, toolsDir: string): Promise<{ ms: number; cpuMs: number }> {
  const t = performance.now();
  const proc = Bun.spawn(pinned([...nexusArgv(root), 'check', '--tools', toolsDir, '--no-credentials'], '1'), {
    cwd: root,
    stdout: 'ignore',
    stderr: 'ignore',
  });
  const code = await proc.exited;
  if (code !== 0) throw new Error(`nexus check in ${root} exited ${code}`);
  const usage = proc.resourceUsage()!;
  return { ms: performance.now() - t, cpuMs: Number(usage.cpuTime.user + usage.cpuTime.system) / 1000 };
}

/** The checkout's executable when the bench runs executables and it has one built, else its source. */
function nexusArgv(root: string): string[] {
  const built = join(root, 'dist', 'nexus');
  return NEXUS_BINARY && root.replace(/\/?$/, '/') !== ROOT && existsSync(built) ? [built] : sourceArgv(root);
}

const settledRss = (pid: number) => settledRssMb(pid, 200, 20_000);

type ServeSample = Pick<CostSample, 'readyMs' | 'readyCpuMs' | 'idleRssMb' | 'listBytes'>;

// a first start on a fresh data dir, then a second on the same one (its start-up cache filled)
async function serveTwice(root: string, toolsDir: string): Promise<Omit<CostSample, 'checkMs' | 'checkCpuMs'>> {
  const data = mkdtempSync(join(tmpdir(), 'nexus-cost-'));
  try {
    const first = await serveOnce(root, toolsDir, data);
    const second = await serveOnce(root, toolsDir, data);
    return { ...first, cachedReadyCpuMs: second.readyCpuMs, cachedReadyMs: second.readyMs, cachedIdleRssMb: second.idleRssMb };
  } finally {
    rmSync(data, { recursive: true, force: true });
  }
}

async function serveOnce(root: string, toolsDir: string, data: string): Promise<ServeSample> {
  const port = await freePort();
  const t = performance.now();
  const proc = Bun.spawn(pinned([...nexusArgv(root), 'serve', '--port', String(port), '--tools', toolsDir, '--data-dir', data], '1'), {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'error' },
    stdout: 'ignore',
    stderr: 'ignore',
  });
  try {
    const url = `http://127.0.0.1:${port}`;
    await until(async () => (await fetch(`${url}/readyz`)).status === 200, 120_000, `${url}/readyz`);
    const readyMs = performance.now() - t;
    const readyCpuMs = cpuMs(proc.pid);
    // serve writes its start-up cache a moment after it serves (WRITE_DELAY_MS): wait for it (a checkout
    // without the cache writes nothing; 3 s bound), so the second start finds it and idle RSS includes it
    const cache = join(data, 'catalogue-cache');
    const written = () => existsSync(cache) && readdirSync(cache).some((n) => n.endsWith('.json'));
    await until(async () => written(), 3_000, 'start-up cache').catch(() => {});
    const idleRssMb = await settledRss(proc.pid);
    const call = toolsList(`${url}/mcp`, '2025-11-25');
    const res = await fetch(call.url, { method: 'POST', headers: call.headers, body: call.body });
    const listBytes = (await res.arrayBuffer()).byteLength;
    return { readyMs, readyCpuMs, idleRssMb, listBytes };
  } finally {
    proc.kill('SIGKILL');
    await proc.exited;
  }
}

/** Medians over `rounds`, per checkout, the checkouts alternating within each round. */
export async function measureCost(
  toolsDir: string,
  roots: readonly string[] = [ROOT],
  rounds = 3,
): Promise<{ root: string; sample: CostSample }[]> {
  const samples = roots.map(() => [] as CostSample[]);
  for (let r = 0; r < rounds; r++) {
    for (const [i, root] of roots.entries()) {
      const check = await checkOnce(root, toolsDir);
      const serve = await serveTwice(root, toolsDir);
      samples[i]!.push({ checkMs: check.ms, checkCpuMs: check.cpuMs, ...serve });
    }
  }
  const med = (xs: CostSample[], k: keyof CostSample) => median(xs.map((x) => x[k]));
  return roots.map((root, i) => ({
    root,
    sample: {
      checkMs: med(samples[i]!, 'checkMs'),
      checkCpuMs: med(samples[i]!, 'checkCpuMs'),
      readyMs: med(samples[i]!, 'readyMs'),
      readyCpuMs: med(samples[i]!, 'readyCpuMs'),
      idleRssMb: med(samples[i]!, 'idleRssMb'),
      listBytes: med(samples[i]!, 'listBytes'),
      cachedReadyCpuMs: med(samples[i]!, 'cachedReadyCpuMs'),
      cachedReadyMs: med(samples[i]!, 'cachedReadyMs'),
      cachedIdleRssMb: med(samples[i]!, 'cachedIdleRssMb'),
    },
  }));
}

export const costRow = (label: string, s: CostSample) =>
  `| ${label} | ${(s.checkCpuMs / 1000).toFixed(2)} s | ${(s.checkMs / 1000).toFixed(2)} s | ${Math.round(s.readyCpuMs)} ms | ${Math.round(s.readyMs)} ms | ${s.idleRssMb.toFixed(1)} MB | ${Math.round(s.cachedReadyCpuMs)} ms | ${Math.round(s.cachedReadyMs)} ms | ${s.cachedIdleRssMb.toFixed(1)} MB | ${(s.listBytes / 1024).toFixed(1)} KB |`;
export const COST_HEADER =
  '| catalogue · checkout | check CPU | check wall | start-up CPU | start-up wall (to /readyz) | idle RSS | second start: CPU (cached) | second start: wall | second start: idle RSS | tools/list (SSE answer) |\n|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|';
