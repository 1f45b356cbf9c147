// The embedded audit sink's store: rows are built (and redacted) here, inserted by a worker thread
// (writer-worker.ts). If the worker cannot start or dies, writes continue on this thread, logged once.
import type { SqlValue } from '../db/types.ts';
import type { Logger } from '../log.ts';
import type { AuditRecord } from './record.ts';
import type { SinkStore } from './sink.ts';
import { recordOfRow, toRow } from './store.ts';
import type { WriterReply, WriterRequest } from './writer-worker.ts';

export interface ThreadAuditStore extends Required<SinkStore> {
  close(): Promise<void>;
}

type Pending = { resolve: () => void; reject: (e: Error) => void };
type Request = WriterRequest extends infer R ? (R extends WriterRequest ? Omit<R, 'id'> : never) : never;

// From source, beside this file. In the compiled executable every module is bundled into main's
// location, and the worker (a second entry point, scripts/build.ts) keeps its path below src/.
const workerUrl = () =>
  import.meta.url.includes('$bunfs')
    ? new URL('./audit/writer-worker.ts', import.meta.url)
    : new URL('./writer-worker.ts', import.meta.url);

/** `fallback` writes on this thread (a store over the same file). */
export function createThreadAuditStore(file: string, fallback: Pick<SinkStore, 'insert'>, log: Logger): ThreadAuditStore {
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let worker: Worker | undefined;
  const broken = (why: unknown) => {
    if (!worker) return;
    log.warn('audit writer thread unavailable; writing audit records on the main thread', { err: why });
    worker.terminate();
    worker = undefined;
    for (const p of pending.values()) p.reject(new Error('audit writer thread stopped'));
    pending.clear();
  };
  const ask = (m: Request): Promise<void> =>
    new Promise((resolve, reject) => {
      if (!worker) return reject(new Error('audit writer thread stopped'));
      const id = nextId++;
      pending.set(id, { resolve, reject });
      worker.postMessage({ ...m, id } as WriterRequest);
    });
  // The thread starts with the first record: an idle gateway holds no second JS heap
  const start = (): Promise<void> => {
    try {
      worker = new Worker(workerUrl());
      (worker as unknown as { unref(): void }).unref(); // never what keeps the process alive
      worker.onmessage = (e: MessageEvent<WriterReply>) => {
        const r = e.data;
        const p = pending.get(r.id);
        pending.delete(r.id);
        if (r.ok) p?.resolve();
        else p?.reject(new Error(r.error));
      };
      worker.onerror = (e) => broken(e.message);
    } catch (e) {
      worker?.terminate();
      worker = undefined;
      log.warn('audit writer thread unavailable; writing audit records on the main thread', { err: e });
    }
    return worker ? ask({ kind: 'open', file }).catch((e) => broken(e)) : Promise.resolve();
  };
  let opened: Promise<void> | undefined;

  return {
    async insert(records: readonly AuditRecord[]) {
      await (opened ??= start());
      if (!worker) return fallback.insert(records);
      try {
        await ask({ kind: 'insert', rows: records.map(toRow) });
      } catch (e) {
        if (worker) throw e; // a failed insert (the sink retries it); a dead thread falls through
        await fallback.insert(records);
      }
    },
    // the spool's lines go as one string (a copy, not a structured clone of every row); the thread parses them
    async insertSpooled(lines) {
      await (opened ??= start());
      if (worker) {
        try {
          return await ask({ kind: 'insertSpooled', lines: `[${lines.join(',')}]` });
        } catch (e) {
          if (worker) throw e;
        }
      }
      await fallback.insert(lines.map((l) => recordOfRow((JSON.parse(l) as SqlValue[]).slice(1))));
    },
    async close() {
      if (!opened) return;
      await opened;
      if (!worker) return;
      await ask({ kind: 'close' }).catch(() => {});
      worker?.terminate();
      worker = undefined;
    },
  };
}
