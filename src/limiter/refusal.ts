// What a refused call says: which limit, the rule, and when to retry (MCP error details, REST 429).
import { NexusError } from '../errors.ts';
import { formatDuration } from '../util/duration.ts';
import type { LimitCheck, LimitDecision, Limiter } from './types.ts';

/** Whole seconds to wait, at least 1: the value of `Retry-After` and of `details.retryAfter`. */
export const retryAfterSeconds = (decision: LimitDecision) => Math.max(1, Math.ceil(decision.retryAfterMs / 1000));

export function rateLimitedError(check: LimitCheck, decision: LimitDecision): NexusError {
  const retryAfter = retryAfterSeconds(decision);
  const rule = `${check.rule.requests} requests per ${formatDuration(check.rule.perMs)}`;
  return new NexusError('RATE_LIMITED', `rate limit "${check.name}" exceeded: ${rule}; retry after ${retryAfter}s`, {
    details: { limit: check.name, retryAfter },
  });
}

/** Checks every limit at once; throws RATE_LIMITED naming the refusing one. */
export async function enforceLimits(limiter: Limiter, checks: readonly LimitCheck[]): Promise<readonly LimitDecision[]> {
  const verdict = await limiter.checkAll(checks);
  if (verdict.refused) throw rateLimitedError(verdict.refused.check, verdict.refused.decision);
  return verdict.decisions;
}
