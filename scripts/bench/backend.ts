// The bench's stand-in backend: one fast JSON endpoint (a ticket), an optional fixed delay, and a
// request counter, so every target pays the same, minimal backend cost.
// Alone: bun scripts/bench/backend.ts [--port N] [--delay MS]   (prints {"port":N} on stdout)
import { parseArgs } from 'node:util';

export interface BenchBackend {
  readonly port: number;
  readonly url: string;
  /** Requests served to /tickets/* since start (or the last reset). */
  count(): number;
  reset(): void;
  stop(): void;
}

export const TICKET_PATH = '/tickets/';

/** The ticket every target returns: small, typical JSON (~300 bytes). */
export function ticket(id: string) {
  return {
    id,
    key: `OPS-${id}`,
    summary: 'Checkout latency above SLO in eu-west',
    status: { name: 'In Progress', category: 'indeterminate' },
    priority: 'high',
    assignee: { name: 'ana', email: 'ana@example.com' },
    labels: ['latency', 'checkout'],
    updated: '2026-01-15T10:20:30Z',
  };
}

export function startBenchBackend(opts: { port?: number; delayMs?: number } = {}): BenchBackend {
  let served = 0;
  const delayMs = opts.delayMs ?? 0;
  const server = Bun.serve({
    port: opts.port ?? 0,
    hostname: '127.0.0.1',
    async fetch(req) {
      const path = new URL(req.url).pathname;
      if (path === '/__count') return Response.json({ count: served });
      if (path === '/__reset') return Response.json({ count: (served = 0) });
      // any prefix before /tickets/ is accepted: the bench puts its run id there (see nexus.ts)
      const at = path.indexOf(TICKET_PATH);
      if (at < 0) return Response.json({ error: 'not found' }, { status: 404 });
      served++;
      if (delayMs) await Bun.sleep(delayMs);
      return Response.json(ticket(decodeURIComponent(path.slice(at + TICKET_PATH.length))));
    },
  });
  return {
    port: server.port!,
    url: `http://127.0.0.1:${server.port}`,
    count: () => served,
    reset: () => void (served = 0),
    stop: () => void server.stop(true),
  };
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { port: { type: 'string' }, delay: { type: 'string' } } });
  const b = startBenchBackend({ port: Number(values.port ?? 0), delayMs: Number(values.delay ?? 0) });
  console.log(JSON.stringify({ port: b.port }));
}
