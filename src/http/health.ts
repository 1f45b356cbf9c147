// Liveness and readiness. /healthz: the process answers. /readyz: every dependency checked, 503 + reason.
import { Elysia } from 'elysia';
import type { Registry } from '../registry/registry.ts';

export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<void>;
}

export function healthRoutes(deps: { registry: Registry; checks?: readonly ReadinessCheck[]; draining?: () => boolean }) {
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
      for (const c of deps.checks ?? []) {
        try {
          await c.check();
          results[c.name] = 'ok';
        } catch (e) {
          ready = false;
          results[c.name] = (e as Error).message;
        }
      }
      set.status = ready ? 200 : 503;
      return { status: ready ? 'ready' : 'not ready', checks: results };
    });
}
