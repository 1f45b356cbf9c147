// GCRA (generic cell rate algorithm) over integer microseconds, so every step is exact in a double.
// State per key is one number, the theoretical arrival time (TAT). A rule of N per T allows a burst of
// N and then one call per ceil(T/N) µs: never more than declared. redis.ts runs the same steps in Lua.
import { NexusError } from '../errors.ts';
import type { LimitCheck, LimitDecision, LimitRule, LimitVerdict } from './types.ts';

export interface GcraStep {
  readonly decision: LimitDecision;
  /** TAT to store when the call goes ahead. */
  readonly tatUs: number;
}

export const intervalUs = (rule: LimitRule) => Math.ceil((rule.perMs * 1000) / rule.requests);

/** One GCRA step for a key whose stored TAT is `tatUs` (0 when unknown) at `nowUs`. */
export function gcraStep(tatUs: number, nowUs: number, rule: LimitRule, cost: number): GcraStep {
  const interval = intervalUs(rule);
  const cap = interval * rule.requests;
  const before = Math.max(tatUs, nowUs) - nowUs;
  const ahead = before + cost * interval;
  if (ahead <= cap) {
    const decision = { allowed: true, remaining: Math.floor((cap - ahead) / interval), retryAfterMs: 0, limit: rule.requests };
    return { decision, tatUs: nowUs + ahead };
  }
  const remaining = Math.max(0, Math.floor((cap - before) / interval));
  return { decision: { allowed: false, remaining, retryAfterMs: Math.ceil((ahead - cap) / 1000), limit: rule.requests }, tatUs };
}

/** Throws INVALID_INPUT for a rule or cost no limiter can honour. */
export function validateCheck(check: LimitCheck): void {
  const { rule, cost = 1 } = check;
  const ok =
    Number.isInteger(rule.requests) &&
    rule.requests > 0 &&
    Number.isFinite(rule.perMs) &&
    rule.perMs > 0 &&
    Number.isInteger(cost) &&
    cost >= 0 &&
    cost <= rule.requests;
  if (!ok) throw new NexusError('INVALID_INPUT', `rate limit "${check.name}": invalid rule or cost`);
}

/** Puts per-check decisions together; the refusal reported is the one with the longest wait. */
export function verdictOf(checks: readonly LimitCheck[], decisions: readonly LimitDecision[]): LimitVerdict {
  let refused: LimitVerdict['refused'];
  decisions.forEach((decision, i) => {
    if (!decision.allowed && (!refused || decision.retryAfterMs > refused.decision.retryAfterMs)) {
      refused = { check: checks[i]!, decision };
    }
  });
  return refused ? { allowed: false, decisions, refused } : { allowed: true, decisions };
}

/** `take` expressed as a one-check `checkAll`, shared by both implementations. */
export async function takeOne(
  checkAll: (checks: readonly LimitCheck[]) => Promise<LimitVerdict>,
  key: string,
  rule: LimitRule,
  cost = 1,
): Promise<LimitDecision> {
  const verdict = await checkAll([{ name: key, key, rule, cost }]);
  return verdict.decisions[0]!;
}
