// Deletes audit records older than NEXUS_AUDIT_RETENTION (Config.auditRetention), hourly, under a named lock
// so that one instance at a time does it.
import type { Db } from '../db/types.ts';
import type { Logger } from '../log.ts';
import { createAuditStore } from './store.ts';

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
