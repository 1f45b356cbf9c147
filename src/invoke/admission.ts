// Admission control: every backend has its own budget of calls in flight, under one process-wide
// ceiling (the runtime's cap on concurrent fetches). A call over either budget is refused at once
// (OVERLOADED, Retry-After) instead of queueing where the wait would eat its timeout, so one slow
// backend can hold at most its own budget and never the slots the other backends need.
import { NexusError } from '../errors.ts';
import type { Labels, Metrics } from '../metrics.ts';
import { memoize } from '../util/memo.ts';

export interface Admission {
  /** Takes a slot of `key` (budget `limit`) and returns its release; throws OVERLOADED when full. */
  enter(key: string, limit: number): () => void;
  /** Calls in flight for key (or in total without one), for tests and diagnostics. */
  inFlight(key?: string): number;
}

export interface AdmissionOptions {
  /** Calls in flight over every backend together. */
  readonly total: number;
  /** Seconds a refused caller is told to wait (Retry-After). */
  readonly retryAfterSeconds?: number;
  readonly metrics?: Metrics;
}

export function createAdmission(opts: AdmissionOptions): Admission {
  const busy = new Map<string, number>();
  let total = 0;
  const retryAfter = opts.retryAfterSeconds ?? 1;
  const shedLabels = memoize((k: string): Labels => {
    const [backend, budget] = k.split('\n') as [string, string];
    return { backend, budget };
  }, 10_000);

  const refuse = (key: string, budget: 'backend' | 'process', limit: number) => {
    opts.metrics?.inc('nexus_backend_shed_total', shedLabels(`${key}\n${budget}`));
    const what = budget === 'backend' ? `backend ${key} already has ${limit} calls in flight` : `${limit} backend calls in flight`;
    return new NexusError('OVERLOADED', `${what} (its limit); try again shortly`, { details: { retryAfter, budget } });
  };

  return {
    enter(key, limit) {
      const n = busy.get(key) ?? 0;
      if (n >= limit) throw refuse(key, 'backend', limit);
      if (total >= opts.total) throw refuse(key, 'process', opts.total);
      busy.set(key, n + 1);
      total++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        total--;
        const left = (busy.get(key) ?? 1) - 1;
        if (left) busy.set(key, left);
        else busy.delete(key);
      };
    },
    inFlight: (key) => (key === undefined ? total : (busy.get(key) ?? 0)),
  };
}
