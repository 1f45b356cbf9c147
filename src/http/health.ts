// Liveness and readiness. /healthz: the process answers. /readyz: every dependency checked, 503 + reason.
import { Elysia } from 'elysia';
import type { Registry } from '../registry/registry.ts';

export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<void>;
}

const CHECK_MS = 1000;

function within<T>(ms: number, p: Promise<T>, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** One federated server as /readyz reports it (its state does not make Nexus unready: other tools still work). */
export interface UpstreamHealth {
  readonly name: string;
  readonly state: string;
  readonly tools: number;
  readonly error?: string;
}

export function healthRoutes(deps: {
  registry: Registry;
  checks?: readonly ReadinessCheck[];
  upstreams?: () => readonly UpstreamHealth[];
  draining?: () => boolean;
}) {
  return new Elysia({ name: 'health' })
    .get('/healthz', () => ({ status: 'ok' }))
    .get('/readyz', async ({ set }) => {
      // shutting down: say so at once, so a load balancer stops sending before the drain
      if (deps.draining?.()) {
        set.status = 503;
        return { status: 'draining', checks: {} };
      }
      const results: Record<string, string> = { tools: `${deps.registry.current().tools.length} loaded` };
      let ready = true;
      // all at once, each bounded: a hung dependency makes /readyz answer 503, never hang
      await Promise.all(
        (deps.checks ?? []).map(async (c) => {
          try {
            await within(CHECK_MS, c.check(), `${c.name} did not answer within ${CHECK_MS / 1000}s`);
            results[c.name] = 'ok';
          } catch (e) {
            ready = false;
            results[c.name] = (e as Error).message;
          }
        }),
      );
      set.status = ready ? 200 : 503;
      const upstreams = deps
        .upstreams?.()
        .map((u) => ({ name: u.name, state: u.state, tools: u.tools, ...(u.error && { error: u.error }) }));
      return { status: ready ? 'ready' : 'not ready', checks: results, ...(upstreams?.length && { upstreams }) };
    });
}
