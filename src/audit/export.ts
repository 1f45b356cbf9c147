// Streams audit records to the operator's pipeline besides the store (NEXUS_AUDIT_EXPORT). record()
// only queues; each target drains its own bounded queue in batches, so a slow or stalled receiver
// never delays a call nor another target. A full queue drops records, counted per target
// (nexus_audit_export_dropped_total) and logged at most every 10 s; a failing target is retried.
import type { Logger } from '../log.ts';
import type { Labels, Metrics } from '../metrics.ts';
import type { AuditRecord } from './record.ts';
import { redactRecord } from './store.ts';

/** One destination; write() resolves once the receiver has the records (or its buffer took them). */
export interface AuditTarget {
  /** Metric label and log name: stdout, file, syslog, otlp. */
  readonly kind: string;
  write(records: readonly AuditRecord[]): Promise<void>;
  close(): Promise<void>;
}

export interface AuditExportOptions {
  readonly targets: readonly AuditTarget[];
  readonly log: Logger;
  readonly metrics?: Metrics;
  /** Records each target may hold while it falls behind (NEXUS_AUDIT_EXPORT_QUEUE). */
  readonly maxQueue?: number;
  readonly batchSize?: number;
  /** Pause after a failed write before the next attempt. */
  readonly retryMs?: number;
}

export interface AuditExport {
  record(entry: AuditRecord): void;
  /** Resolves once every target's queue is empty (or `timeoutMs` passed). */
  flush(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
  pending(kind: string): number;
}

const REPORT_EVERY_MS = 10_000;

export function createAuditExport(opts: AuditExportOptions): AuditExport {
  const maxQueue = opts.maxQueue ?? 10_000;
  const batchSize = opts.batchSize ?? 500;
  const lanes = opts.targets.map((target) => {
    const labels: Labels = { target: target.kind };
    const lane = { target, labels, queue: [] as AuditRecord[], running: false, failing: false, dropped: 0, unreported: 0, reported: 0 };
    opts.metrics?.gauge('nexus_audit_export_pending', () => lane.queue.length, labels);
    return lane;
  });
  type Lane = (typeof lanes)[number];
  let closed = false;
  const idle: Array<() => void> = [];

  const report = (lane: Lane, force = false) => {
    const now = Date.now();
    if (!lane.unreported || (!force && now - lane.reported < REPORT_EVERY_MS)) return;
    opts.log.warn('audit export falling behind: records dropped', {
      target: lane.target.kind,
      dropped: lane.unreported,
      total: lane.dropped,
      queue: maxQueue,
    });
    lane.unreported = 0;
    lane.reported = now;
  };

  async function pump(lane: Lane): Promise<void> {
    lane.running = true;
    try {
      while (lane.queue.length) {
        const batch = lane.queue.slice(0, batchSize);
        try {
          await lane.target.write(batch.map(redactRecord));
          lane.queue.splice(0, batch.length);
          if (lane.failing) opts.log.info('audit export recovered', { target: lane.target.kind });
          lane.failing = false;
        } catch (e) {
          opts.metrics?.inc('nexus_audit_export_failures_total', lane.labels);
          if (!lane.failing) opts.log.error('audit export failed; retrying', { target: lane.target.kind, err: e });
          lane.failing = true;
          if (closed) return;
          await Bun.sleep(opts.retryMs ?? 1000);
        }
        report(lane);
      }
    } finally {
      lane.running = false;
      report(lane, true);
      if (lanes.every((l) => !l.running)) for (const done of idle.splice(0)) done();
    }
  }

  async function flush(timeoutMs = 5000) {
    if (lanes.every((l) => !l.running && !l.queue.length)) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([new Promise<void>((r) => idle.push(r)), new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
  }

  return {
    record(entry) {
      for (const lane of lanes) {
        if (closed || lane.queue.length >= maxQueue) {
          lane.dropped++;
          lane.unreported++;
          opts.metrics?.inc('nexus_audit_export_dropped_total', lane.labels);
          report(lane);
          continue;
        }
        lane.queue.push({ ...entry });
        if (!lane.running) {
          lane.running = true; // the batch forms while this turn of the event loop runs
          setImmediate(() => void pump(lane));
        }
      }
    },
    flush,
    async close() {
      await flush();
      closed = true;
      for (const lane of lanes) {
        if (lane.queue.length) {
          lane.dropped += lane.queue.length;
          lane.unreported += lane.queue.length;
          opts.metrics?.inc('nexus_audit_export_dropped_total', lane.labels, lane.queue.length);
          lane.queue = [];
        }
        report(lane, true);
        await lane.target.close().catch(() => {});
      }
    },
    pending: (kind) => lanes.find((l) => l.target.kind === kind)?.queue.length ?? 0,
  };
}
