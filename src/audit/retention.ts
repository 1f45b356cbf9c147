// Deletes audit records older than NEXUS_AUDIT_RETENTION (default 30d), hourly, under a named lock
// so that one instance at a time does it.
import type { Db } from '../db/types.ts';
import { NexusError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { parseDuration } from '../util/duration.ts';
import { createAuditStore } from './store.ts';

export const DEFAULT_RETENTION = '30d';

/** Retention in ms from NEXUS_AUDIT_RETENTION; throws INVALID_CONFIG on a bad value. */
export function retentionFromEnv(env: Readonly<Record<string, string | undefined>>): number {
  const raw = env.NEXUS_AUDIT_RETENTION || DEFAULT_RETENTION;
  const ms = parseDuration(raw);
  if (ms === undefined || ms <= 0)
    throw new NexusError('INVALID_CONFIG', `NEXUS_AUDIT_RETENTION: expected a duration like 30d, got "${raw}"`);
  return ms;
}

export interface AuditRetention {
  /** Deletes expired records now; returns how many. */
  purge(): Promise<number>;
  stop(): void;
}

export function startAuditRetention(opts: {
  db: Db;
  log: Logger;
  retentionMs: number;
  intervalMs?: number;
  now?: () => number;
}): AuditRetention {
  const now = opts.now ?? Date.now;
  const purge = () => opts.db.withLock('nexus-audit-retention', (tx) => createAuditStore(tx).deleteBefore(now() - opts.retentionMs));
  const run = async () => {
    try {
      const n = await purge();
      if (n) opts.log.info('audit records expired', { deleted: n });
    } catch (e) {
      opts.log.warn('audit retention failed; will retry', { err: e });
    }
  };
  const timer = setInterval(() => void run(), opts.intervalMs ?? 3_600_000);
  timer.unref?.();
  void run();
  return { purge, stop: () => clearInterval(timer) };
}
