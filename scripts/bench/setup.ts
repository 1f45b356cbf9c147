// What the bench needs from the machine: wrk (installed from Debian when missing) and a description
// of the machine and versions for the report.

import { readFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';

function run(argv: string[]): { code: number; out: string } {
  const p = Bun.spawnSync(argv, { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, stdout: 'pipe', stderr: 'pipe' });
  return { code: p.exitCode ?? 1, out: p.stdout.toString() + p.stderr.toString() };
}

/** Installs wrk with apt-get when it is not on PATH; throws if that fails. */
export function ensureWrk(log: (s: string) => void): void {
  if (Bun.which('wrk')) return;
  const sudo = process.getuid?.() === 0 ? [] : ['sudo', '-n'];
  log('wrk not found: installing it with apt-get (Debian package "wrk")');
  for (const argv of [
    [...sudo, 'apt-get', 'update'],
    [...sudo, 'apt-get', 'install', '-y', 'wrk'],
  ]) {
    const r = run(argv);
    if (r.code !== 0) throw new Error(`${argv.join(' ')} failed (exit ${r.code}):\n${r.out.slice(-800)}`);
  }
  if (!Bun.which('wrk')) throw new Error('apt-get installed wrk but it is not on PATH');
}

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly ramGb: number;
  readonly kernel: string;
  readonly bun: string;
  readonly node: string;
  readonly wrk: string;
}

export function describeMachine(): Machine {
  let cpu = cpus()[0]?.model ?? 'unknown';
  try {
    cpu = /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpu;
  } catch {}
  const node = Bun.which('node') ? run(['node', '--version']).out.trim() : 'not installed';
  const wrk = /wrk (\S+)/.exec(run(['wrk', '--version']).out)?.[1] ?? 'unknown';
  return { cpu, cores: navigator.hardwareConcurrency, ramGb: totalmem() / 2 ** 30, kernel: release(), bun: Bun.version, node, wrk };
}
