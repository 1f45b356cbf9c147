// The rate-limit port. Two implementations with the same semantics: in-process (memory.ts) and shared
// across gateway instances (redis.ts); guarded.ts decides what happens when the shared one is down.

/** `requests` per `perMs`, with bursts of up to `requests` (GCRA). */
export interface LimitRule {
  readonly requests: number;
  readonly perMs: number;
}

export interface LimitDecision {
  readonly allowed: boolean;
  /** Budget left right now: after this call when allowed, untouched when refused. */
  readonly remaining: number;
  /** 0 when allowed; else how long until this call would be allowed. */
  readonly retryAfterMs: number;
  /** The rule's `requests`. */
  readonly limit: number;
}

/** One limit a call must pass: `name` says which limit in errors (`tool`, `backend`, `caller`, `session`). */
export interface LimitCheck {
  readonly name: string;
  readonly key: string;
  readonly rule: LimitRule;
  /** Budget this call uses (default 1). */
  readonly cost?: number;
}

export interface LimitVerdict {
  readonly allowed: boolean;
  /** One per check, in order. When refused, nothing was consumed from any of them. */
  readonly decisions: readonly LimitDecision[];
  /** The refusing check with the longest wait. */
  readonly refused?: { readonly check: LimitCheck; readonly decision: LimitDecision };
}

export interface Limiter {
  take(key: string, rule: LimitRule, cost?: number): Promise<LimitDecision>;
  /** Checks all limits atomically and consumes from all of them only when all allow. Keys must differ. */
  checkAll(checks: readonly LimitCheck[]): Promise<LimitVerdict>;
}
