// Child processes for the bench: spawn pinned to a CPU, learn the port, wait until healthy, read RSS.
import { readFileSync } from 'node:fs';
import type { Subprocess } from 'bun';

export const ROOT = new URL('../../', import.meta.url).pathname;
export const BUN = process.execPath;
/**
 * The executable under test, when set: `bun run build && NEXUS_BENCH_BINARY=dist/nexus npm run bench`
 * measures the compiled release build (what install.sh and the container image run) instead of
 * `bun src/main.ts`. It applies to this checkout only; another checkout (`--root`, `--base`) and runs
 * with Bun flags (profiles) always run from source.
 */
export const NEXUS_BINARY = process.env.NEXUS_BENCH_BINARY
  ? new URL(process.env.NEXUS_BENCH_BINARY, `file://${process.cwd()}/`).pathname
  : undefined;
/** What the report says was measured. */
export const NEXUS_BUILD = NEXUS_BINARY
  ? `the compiled executable (\`bun run build\`: ${NEXUS_BINARY.split('/').pop()})`
  : '`bun src/main.ts`';
/** argv that runs `nexus` from `root`: the compiled executable (see NEXUS_BINARY) or Bun on src/main.ts. */
export function nexusArgv(root = ROOT, bunFlags: readonly string[] = []): string[] {
  const here = root.replace(/\/?$/, '/') === ROOT;
  if (NEXUS_BINARY && here && bunFlags.length === 0) return [NEXUS_BINARY];
  return [BUN, ...bunFlags, `${root.replace(/\/?$/, '/')}src/main.ts`];
}
/** What the Docker image and the systemd unit set for `nexus serve`; every Bun server of the bench gets it alike. */
export const SERVE_ENV = { MIMALLOC_PURGE_DELAY: '-1' };

/** CPUs: the server under test on one core, wrk and the stand-in backend on the other. */
export const CPUS = navigator.hardwareConcurrency >= 2 ? { server: '1', load: '0' } : { server: undefined, load: undefined };
const hasTaskset = Bun.which('taskset') !== null;

export const pinned = (argv: string[], cpu?: string) => (cpu !== undefined && hasTaskset ? ['taskset', '-c', cpu, ...argv] : argv);

export interface Child {
  readonly proc: Subprocess;
  readonly pid: number;
  readonly port: number;
  readonly url: string;
  /** Milliseconds from spawn until the service answered. */
  readonly readyMs: number;
  /** SIGKILL by default: a graceful stop waits out the drain timeout on idle keep-alive connections. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

const children = new Set<Subprocess>();
/** Kills every child still running (on exit or Ctrl-C), by pid. */
export function killChildren(): void {
  for (const p of children) if (p.exitCode === null) p.kill('SIGKILL');
}

export async function freePort(): Promise<number> {
  const s = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response() });
  const port = s.port!;
  await s.stop(true);
  return port;
}

/** Polls until `probe` resolves true or the deadline passes (no fixed sleeps). */
export async function until(probe: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await Bun.sleep(3);
  }
}

interface SpawnOptions {
  readonly cpu?: string;
  readonly env?: Record<string, string | undefined>;
  readonly log: string;
  /** Working directory (default: the checkout the bench runs from). */
  readonly cwd?: string;
  /** URL path polled for 200 when the port is chosen up front; otherwise the child prints {"port":N}. */
  readonly health?: { port: number; path: string; timeoutMs?: number };
}

function track(proc: Subprocess) {
  children.add(proc);
  void proc.exited.then(() => children.delete(proc));
}

async function firstJsonLine(stream: ReadableStream<Uint8Array>): Promise<{ port: number }> {
  const reader = stream.getReader();
  let text = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`child exited before printing its port: ${text}`);
    text += new TextDecoder().decode(value);
    const nl = text.indexOf('\n');
    if (nl >= 0) {
      reader.releaseLock();
      return JSON.parse(text.slice(0, nl));
    }
  }
}

export async function spawnChild(argv: string[], opts: SpawnOptions): Promise<Child> {
  const started = performance.now();
  const proc = Bun.spawn(pinned(argv, opts.cpu), {
    cwd: opts.cwd ?? ROOT,
    env: { ...SERVE_ENV, ...process.env, ...opts.env },
    stdout: opts.health ? 'ignore' : 'pipe',
    stderr: Bun.file(opts.log),
  });
  track(proc);
  let port: number;
  if (opts.health) {
    port = opts.health.port;
    const url = `http://127.0.0.1:${port}${opts.health.path}`;
    const exited = proc.exited.then((code) => {
      throw new Error(`${argv.join(' ')} exited with ${code} before it was healthy; see ${opts.log}`);
    });
    await Promise.race([until(async () => (await fetch(url)).status === 200, opts.health.timeoutMs ?? 30_000, url), exited]);
  } else {
    port = (await firstJsonLine(proc.stdout as ReadableStream<Uint8Array>)).port;
  }
  const readyMs = performance.now() - started;
  return {
    proc,
    pid: proc.pid,
    port,
    url: `http://127.0.0.1:${port}`,
    readyMs,
    async stop(signal = 'SIGKILL') {
      if (proc.exitCode !== null) return;
      proc.kill(signal);
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await proc.exited;
      clearTimeout(timer);
    },
  };
}

/** Resident set size of a process in MB (VmRSS), or NaN when it is gone. */
export function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** RSS after start-up still moves while lazy work and garbage settle: wait until two samples `everyMs` apart agree within 1%. */
export async function settledRssMb(pid: number, everyMs: number, timeoutMs: number): Promise<number> {
  let last = rssMb(pid);
  await until(
    async () => {
      await Bun.sleep(everyMs);
      const now = rssMb(pid);
      const steady = Math.abs(now - last) <= last * 0.01;
      last = now;
      return steady;
    },
    timeoutMs,
    'RSS to settle',
  );
  return last;
}

/** Samples RSS every 250 ms while `work` runs; resolves with its value and the peak RSS. */
export async function peakRss<T>(pid: number, work: () => Promise<T>): Promise<{ value: T; peakMb: number }> {
  let peak = rssMb(pid);
  const timer = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 250);
  try {
    const value = await work();
    return { value, peakMb: Math.max(peak, rssMb(pid)) };
  } finally {
    clearInterval(timer);
  }
}
