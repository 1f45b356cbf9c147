// Which limits a tool call meets: the tool's per-caller rule, its backend's rule for all callers, and
// the gateway-wide per-caller and per-session defaults. All are checked in one atomic checkAll.
import type { Caller } from '../caller.ts';
import { NexusError } from '../errors.ts';
import type { Labels, Metrics } from '../metrics.ts';
import { parseDuration } from '../util/duration.ts';
import { memoize } from '../util/memo.ts';
import { enforceLimits } from './refusal.ts';
import type { LimitCheck, Limiter, LimitRule } from './types.ts';

export interface GatewayLimits {
  /** Per caller across all tools (NEXUS_CALLER_RATE_LIMIT). */
  readonly caller?: LimitRule;
  /** Per caller and session (NEXUS_SESSION_RATE_LIMIT). */
  readonly session?: LimitRule;
}

/** The parts of a ToolSpec the limits read. */
export interface LimitedTool {
  readonly name: string;
  readonly rateLimit?: LimitRule;
  readonly backend: { readonly id: string; readonly rateLimit?: LimitRule };
}

/** `600/1m` -> { requests: 600, perMs: 60000 }; undefined when the text is not that shape. */
export function parseLimitRule(text: string): LimitRule | undefined {
  const m = /^\s*(\d+)\s*\/\s*(\S+)\s*$/.exec(text);
  const perMs = m ? parseDuration(m[2]!) : undefined;
  const requests = m ? Number(m[1]) : 0;
  return perMs && requests > 0 ? { requests, perMs } : undefined;
}

/** The checks one call must pass, in a stable order. */
export function limitChecks(tool: LimitedTool, caller: Caller, gateway: GatewayLimits): LimitCheck[] {
  const checks: LimitCheck[] = [];
  if (tool.rateLimit) checks.push({ name: `tool:${tool.name}`, key: `tool:${tool.name}:${caller.id}`, rule: tool.rateLimit });
  if (tool.backend.rateLimit) {
    checks.push({ name: `backend:${tool.backend.id}`, key: `backend:${tool.backend.id}`, rule: tool.backend.rateLimit });
  }
  if (gateway.caller) checks.push({ name: 'caller', key: `caller:${caller.id}`, rule: gateway.caller });
  if (gateway.session && caller.session) {
    // Keyed by caller too: a session id is a client hint, so one caller cannot spend another's budget.
    checks.push({ name: 'session', key: `session:${caller.id}:${caller.session}`, rule: gateway.session });
  }
  return checks;
}

/**
 * The call pipeline's `limits` hook: throws RATE_LIMITED (details.limit, details.retryAfter) when any
 * limit refuses; otherwise returns the names of the limits checked (for the audit trail), if any.
 */
/** Counts each call's limit decision: `nexus_rate_limit_decisions_total{decision, limit}`. */
export const LIMIT_DECISIONS = 'nexus_rate_limit_decisions_total';
const ALLOWED = Object.freeze({ decision: 'allowed' });

export function createCallLimits(limiter: Limiter, gateway: GatewayLimits = {}, metrics?: Pick<Metrics, 'inc'>) {
  const refusedLabels = memoize((limit: string): Labels => ({ decision: 'refused', limit }), 10_000);
  // The checks (and their label) of a tool for a caller are the same on every call: kept per tool
  // object (a reload makes new ones) and caller, unless a session makes them per session.
  const kept = new WeakMap<LimitedTool, Map<string, { checks: LimitCheck[]; label: string }>>();
  const plan = (tool: LimitedTool, caller: Caller) => {
    const perSession = !!(gateway.session && caller.session);
    let byCaller = perSession ? undefined : kept.get(tool);
    let p = byCaller?.get(caller.id);
    if (p) return p;
    const checks = limitChecks(tool, caller, gateway);
    p = { checks, label: checks.map((c) => c.name).join(',') };
    if (!perSession) {
      if (!byCaller) kept.set(tool, (byCaller = new Map()));
      if (byCaller.size >= 10_000) byCaller.clear();
      byCaller.set(caller.id, p);
    }
    return p;
  };
  return async (tool: LimitedTool, caller: Caller): Promise<string | undefined> => {
    const { checks, label } = plan(tool, caller);
    if (checks.length === 0) return;
    try {
      await enforceLimits(limiter, checks);
    } catch (e) {
      const limit = e instanceof NexusError && e.code === 'RATE_LIMITED' ? String(e.details?.limit) : undefined;
      if (limit) metrics?.inc(LIMIT_DECISIONS, refusedLabels(limit));
      throw e;
    }
    metrics?.inc(LIMIT_DECISIONS, ALLOWED);
    return label;
  };
}
