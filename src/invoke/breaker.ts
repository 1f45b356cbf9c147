// A circuit breaker per backend: after `threshold` consecutive failures (unreachable, timeout, 502,
// 503, 504) calls are refused at once (CIRCUIT_OPEN) for `cooldownMs`, so a dead backend is not
// hammered; then one probe call is let through (half-open): success closes the breaker, failure
// opens it again. Per instance; the state is exported as nexus_backend_breaker_state.
import { NexusError } from '../errors.ts';
import type { Labels, Metrics } from '../metrics.ts';
import { formatDuration } from '../util/duration.ts';
import { memoize } from '../util/memo.ts';

export type AttemptOutcome = 'ok' | 'failed' | 'neutral';

export interface Breaker {
  /** Throws CIRCUIT_OPEN while key is open; true when this call is the half-open probe. */
  enter(key: string): boolean;
  /** What the call let in by enter() did; `neutral` (cancelled, client error) counts neither way. */
  record(key: string, outcome: AttemptOutcome, probe: boolean): void;
  state(key: string): 'closed' | 'open' | 'half-open';
}

export interface BreakerOptions {
  /** Consecutive failures that open the breaker (0: never). */
  readonly threshold: number;
  readonly cooldownMs: number;
  readonly metrics?: Metrics;
  readonly now?: () => number;
}

interface Circuit {
  failures: number;
  openUntil: number;
  probing: boolean;
  state: 'closed' | 'open' | 'half-open';
}

const STATE_VALUE = { closed: 0, 'half-open': 1, open: 2 } as const;

export function createBreaker(opts: BreakerOptions): Breaker {
  const now = opts.now ?? Date.now;
  const circuits = new Map<string, Circuit>();
  const labels = memoize((backend: string): Labels => ({ backend }), 10_000);
  const circuit = (key: string) => {
    let c = circuits.get(key);
    if (!c) circuits.set(key, (c = { failures: 0, openUntil: 0, probing: false, state: 'closed' }));
    return c;
  };
  const move = (key: string, c: Circuit, state: Circuit['state']) => {
    if (c.state === state) return;
    c.state = state;
    opts.metrics?.set('nexus_backend_breaker_state', STATE_VALUE[state], labels(key));
  };
  const refuse = (key: string, waitMs: number, why: string) => {
    opts.metrics?.inc('nexus_backend_circuit_refused_total', labels(key));
    return new NexusError(
      'CIRCUIT_OPEN',
      `backend ${key} is failing (${why}); calls paused for ${formatDuration(Math.max(waitMs, 1000))}`,
      {
        details: { retryAfter: Math.max(1, Math.ceil(waitMs / 1000)), backend: key },
      },
    );
  };

  return {
    enter(key) {
      if (opts.threshold <= 0) return false;
      const c = circuits.get(key);
      if (!c || c.state === 'closed') return false;
      const t = now();
      if (c.state === 'open') {
        if (t < c.openUntil) throw refuse(key, c.openUntil - t, `${c.failures} failures in a row`);
        move(key, c, 'half-open');
      }
      if (c.probing) throw refuse(key, 1000, 'a probe call is in flight');
      c.probing = true;
      return true;
    },
    record(key, outcome, probe) {
      if (opts.threshold <= 0) return;
      if (outcome === 'ok' && !probe) {
        const c = circuits.get(key);
        if (c && c.state === 'closed') c.failures = 0;
        if (!c || c.state === 'closed') return;
      }
      const c = circuit(key);
      if (probe) c.probing = false;
      if (outcome === 'neutral') return;
      if (outcome === 'ok') {
        c.failures = 0;
        if (probe) move(key, c, 'closed');
        return;
      }
      c.failures++;
      if (probe || (c.state === 'closed' && c.failures >= opts.threshold)) {
        c.openUntil = now() + opts.cooldownMs;
        move(key, c, 'open');
      }
    },
    state: (key) => circuits.get(key)?.state ?? 'closed',
  };
}
