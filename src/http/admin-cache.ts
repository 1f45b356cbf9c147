// /admin/cache: drop cached answers, for every tool or one (DELETE /admin/cache[/:tool]).
import { Elysia } from 'elysia';
import type { ResponseCacheService } from '../cache/service.ts';
import { adminRoute } from './admin-guard.ts';

export function adminCacheRoutes(opts: { responses: Pick<ResponseCacheService, 'clear'>; adminToken?: string }) {
  const admin = adminRoute(opts.adminToken);
  return new Elysia({ name: 'admin-cache' })
    .delete(
      '/admin/cache',
      admin(async () => Response.json({ cleared: await opts.responses.clear() })),
    )
    .delete(
      '/admin/cache/:tool',
      admin(async (_req, params) => Response.json({ tool: params.tool, cleared: await opts.responses.clear(params.tool) })),
    );
}
