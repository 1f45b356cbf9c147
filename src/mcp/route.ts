// /mcp served straight from Bun's router when listening: the same Host/Origin guard, draining header
// and handler as the Elysia route (which app.http.handle still serves), without Elysia's per-request work.
import type { WebGuard } from '../http/web-guard.ts';
import type { Logger } from '../log.ts';
import { rpcError } from './rpc-error.ts';

export interface McpRouteOptions {
  readonly guard: WebGuard;
  readonly handle: (request: Request) => Promise<Response>;
  readonly log: Logger;
  /** While draining, every answer closes its connection. */
  readonly draining: () => boolean;
}

export function mcpRoute(o: McpRouteOptions): (request: Request) => Promise<Response> {
  return async (request) => {
    const res = o.guard(request, '/mcp') ?? (await o.handle(request).catch((e) => failed(o.log, e)));
    if (o.draining()) closeAfter(res);
    return res;
  };
}

/** Marks an answer as the connection's last (a Response with immutable headers keeps its own). */
function closeAfter(res: Response): void {
  try {
    res.headers.set('connection', 'close');
  } catch {}
}

/** What an unexpected failure of the /mcp handler answers: a JSON-RPC internal error, logged. */
function failed(log: Logger, e: unknown): Response {
  log.error('mcp request failed', { err: e });
  return rpcError(500, -32603, 'Internal error');
}
