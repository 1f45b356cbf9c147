// What a call meets when the shared limiter fails (Redis down, timed out): fail-open lets it through
// (logged at most once per logEveryMs, counted), fail-closed refuses it with UNAVAILABLE. Errors the
// limiter raises on purpose (NexusError, e.g. an invalid rule) pass through unchanged.
import { createOutageLog } from '../db/redis.ts';
import { NexusError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import { takeOne } from './gcra.ts';
import type { LimitCheck, Limiter, LimitVerdict } from './types.ts';

export type FailMode = 'open' | 'closed';

export interface GuardOptions {
  mode?: FailMode;
  log: Logger;
  metrics?: Metrics;
  /** Default 30s. */
  logEveryMs?: number;
}

export const LIMITER_UNAVAILABLE_METRIC = 'nexus_rate_limiter_unavailable_total';

export function createGuardedLimiter(inner: Limiter, opts: GuardOptions): Limiter {
  const mode = opts.mode ?? 'open';
  const report = createOutageLog(opts.log, opts.logEveryMs ?? 30_000);

  async function checkAll(checks: readonly LimitCheck[]): Promise<LimitVerdict> {
    try {
      return await inner.checkAll(checks);
    } catch (e) {
      if (e instanceof NexusError) throw e;
      opts.metrics?.inc(LIMITER_UNAVAILABLE_METRIC, { mode });
      report(`rate limiter (fail-${mode})`, e);
      if (mode === 'closed') throw new NexusError('UNAVAILABLE', 'rate limiter unavailable', { cause: e });
      const decisions = checks.map((c) => ({ allowed: true, remaining: c.rule.requests, retryAfterMs: 0, limit: c.rule.requests }));
      return { allowed: true, decisions };
    }
  }

  return { checkAll, take: (key, rule, cost) => takeOne(checkAll, key, rule, cost) };
}
