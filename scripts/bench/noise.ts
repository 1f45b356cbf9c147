// CPU during a measurement: the server under test's share of its core, and how much of the machine
// other processes used (busy CPU from /proc/stat minus
// what the bench's own processes used). The machine is shared, so
// the report says how quiet it was instead of pretending.
import { readFileSync } from 'node:fs';

const HZ = 100; // USER_HZ: /proc tick unit on Linux

function machineBusyMs(): number {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = f;
  return ((user + nice + system + irq + softirq + steal) * 1000) / HZ;
}

/** CPU (user + system, ms) a process has used so far, 10 ms resolution; 0 once it is gone. */
export function pidCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / HZ; // utime, stime
  } catch {
    return 0;
  }
}

export interface NoiseMeter {
  /**
   * Since start: other processes' CPU as a share of the whole machine, and the first pid's (the server
   * under test) CPU as a share of one core. `extraMs` is CPU of our processes that already exited (wrk).
   */
  stop(extraMs: number): { otherPct: number; serverPct: number };
}

export function startNoise(ownPids: readonly number[]): NoiseMeter {
  const t0 = performance.now();
  const busy0 = machineBusyMs();
  const own0 = ownPids.reduce((s, p) => s + pidCpuMs(p), 0);
  const server0 = pidCpuMs(ownPids[0]!);
  return {
    stop(extraMs) {
      const wall = performance.now() - t0;
      const own = ownPids.reduce((s, p) => s + pidCpuMs(p), 0) - own0 + extraMs;
      const foreign = machineBusyMs() - busy0 - own;
      return {
        otherPct: Math.max(0, (100 * foreign) / (wall * navigator.hardwareConcurrency)),
        serverPct: (100 * (pidCpuMs(ownPids[0]!) - server0)) / wall,
      };
    },
  };
}
