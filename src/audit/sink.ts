// Writes audit records without slowing calls: record() appends to the spool file (when there is one)
// and queues; a timer (every 250ms) or a full batch (500) flushes the queue, one transaction per
// batch, then marks it shipped in the spool; the timer also fsyncs the spool. A full queue drops
// records, counted and logged. Batches are large because a commit costs far more than a row: SQLite
// spends about half as much per row in 500-row transactions as in 100-row ones.
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import type { AuditRecord } from './record.ts';
import type { AuditSpool } from './spool.ts';
import type { AuditStore } from './store.ts';

/** Where the sink writes: `insertSpooled`, when the store has it, takes the spool's lines instead of records. */
export type SinkStore = Pick<AuditStore, 'insert'> & {
  /** The spool's lines of the records (see Spooled), in order: no second encoding of each row. */
  insertSpooled?(lines: readonly string[]): Promise<void>;
};

export interface AuditSinkOptions {
  readonly store: SinkStore;
  readonly log: Logger;
  readonly metrics?: Metrics;
  readonly flushIntervalMs?: number;
  readonly batchSize?: number;
  /** Records kept in memory at most; beyond that new ones are dropped (default 10 000). */
  readonly maxQueue?: number;
  /** Where each record goes first, so a crash before the flush loses none (spool.ts). */
  readonly spool?: AuditSpool;
}

export interface AuditSink {
  /** Queues one record; never waits for the database. */
  record(entry: AuditRecord): void;
  /** Writes everything queued so far. */
  flush(): Promise<void>;
  /** Stops the timer and writes what is left. */
  close(): Promise<void>;
  /** Records dropped since start (queue full or database failing). */
  readonly dropped: number;
  readonly pending: number;
}

export function createAuditSink(opts: AuditSinkOptions): AuditSink {
  const batchSize = opts.batchSize ?? 500;
  const maxQueue = opts.maxQueue ?? 10_000;
  const spool = opts.spool;
  let queue: Array<{ r: AuditRecord; seq: number; line?: string }> = [];
  const spooled = spool && opts.store.insertSpooled?.bind(opts.store);
  let dropped = 0;
  let unreported = 0;
  let failing = false;
  let kicked = false;
  let closed = false;
  let chain: Promise<void> = Promise.resolve();

  const drop = (n: number) => {
    dropped += n;
    unreported += n;
    opts.metrics?.inc('nexus_audit_dropped_total', undefined, n);
  };

  // One transaction per batch, and the event loop gets a turn between batches: a large backlog is
  // written as a series of short pauses, not one long one that every request in flight would wait out.
  async function write(): Promise<void> {
    kicked = false;
    if (unreported) {
      opts.log.warn('audit records dropped: queue full', { dropped: unreported, total: dropped });
      unreported = 0;
    }
    while (queue.length) {
      const batch = queue.length > batchSize ? queue.splice(0, batchSize) : queue;
      if (batch === queue) queue = [];
      try {
        await (spooled ? spooled(batch.map((q) => q.line!)) : opts.store.insert(batch.map((q) => q.r)));
        spool?.shipped(batch[batch.length - 1]!.seq);
        if (failing) opts.log.info('audit writes recovered');
        failing = false;
      } catch (e) {
        if (!failing) opts.log.error('audit write failed; retrying', { err: e, records: batch.length });
        failing = true;
        const keep = Math.max(0, maxQueue - queue.length);
        queue = [...batch.slice(0, keep), ...queue];
        drop(batch.length - Math.min(keep, batch.length));
        return;
      }
      if (queue.length) await new Promise<void>((r) => setImmediate(r));
    }
  }

  const flush = () => (chain = chain.then(write));
  // The spool goes to disk once per interval, not once per batch: under load batches fill many
  // times an interval, and each fdatasync costs the process far more than the records it covers
  const timer = setInterval(() => {
    spool?.sync();
    void flush();
  }, opts.flushIntervalMs ?? 250);
  timer.unref?.();

  return {
    record(entry) {
      if (closed || queue.length >= maxQueue) return drop(1);
      const r = { ...entry }; // the spool and the store share its row (toRow builds it once)
      if (spool) queue.push({ r, ...spool.append(r) });
      else queue.push({ r, seq: 0 });
      if (queue.length >= batchSize && !kicked) {
        kicked = true;
        setTimeout(() => void flush(), 0);
      }
    },
    flush,
    async close() {
      closed = true;
      clearInterval(timer);
      await flush();
      if (!queue.length) spool?.close(); // else its records are replayed at the next start
    },
    get dropped() {
      return dropped;
    },
    get pending() {
      return queue.length;
    },
  };
}
