// In-process limiter: the GCRA of gcra.ts over a Map. Bounded: keys whose TAT has passed carry no
// state (a fresh key behaves the same) and are swept out as the map grows.
import { gcraStep, takeOne, validateCheck, verdictOf } from './gcra.ts';
import type { LimitCheck, Limiter, LimitVerdict } from './types.ts';

export interface MemoryLimiterOptions {
  /** Clock in milliseconds (fractions allowed); tests pass a fake one. */
  now?: () => number;
}

export interface MemoryLimiter extends Limiter {
  /** Keys currently holding state (for tests and metrics). */
  size(): number;
}

const SWEEP_FLOOR = 1024;

export function createMemoryLimiter(opts: MemoryLimiterOptions = {}): MemoryLimiter {
  const clock = opts.now ?? (() => performance.timeOrigin + performance.now());
  const tats = new Map<string, number>();
  let sweepAt = SWEEP_FLOOR;

  const sweep = (nowUs: number) => {
    for (const [key, tat] of tats) if (tat <= nowUs) tats.delete(key);
    sweepAt = Math.max(SWEEP_FLOOR, tats.size * 2);
  };

  async function checkAll(checks: readonly LimitCheck[]): Promise<LimitVerdict> {
    checks.forEach(validateCheck);
    const nowUs = Math.floor(clock() * 1000);
    if (tats.size >= sweepAt) sweep(nowUs);
    const steps = checks.map((c) => gcraStep(tats.get(c.key) ?? 0, nowUs, c.rule, c.cost ?? 1));
    const verdict = verdictOf(
      checks,
      steps.map((s) => s.decision),
    );
    if (verdict.allowed) for (const [i, c] of checks.entries()) tats.set(c.key, steps[i]!.tatUs);
    return verdict;
  }

  return {
    checkAll,
    take: (key, rule, cost) => takeOne(checkAll, key, rule, cost),
    size: () => {
      sweep(Math.floor(clock() * 1000));
      return tats.size;
    },
  };
}
