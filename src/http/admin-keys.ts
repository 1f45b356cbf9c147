// /admin/keys: create (the key is in the response, once), list, revoke client keys.
import { Elysia } from 'elysia';
import { z } from 'zod';
import { type KeyService, parseExpiry, splitPatterns } from '../auth/keys.ts';
import { NexusError } from '../errors.ts';
import { adminRoute } from './admin-guard.ts';

const CreateBody = z.strictObject({
  name: z.string(),
  /** Patterns as a list or a comma-separated string. */
  tools: z.union([z.array(z.string()), z.string()]).optional(),
  /** `90d` or an ISO date. */
  expires: z.string().optional(),
});

const NO_STORE = { 'cache-control': 'no-store' };

async function readBody(request: Request): Promise<z.infer<typeof CreateBody>> {
  const raw = await request.json().catch(() => {
    throw new NexusError('INVALID_INPUT', 'body must be JSON');
  });
  const parsed = CreateBody.safeParse(raw);
  if (!parsed.success) {
    throw new NexusError('INVALID_INPUT', parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  }
  return parsed.data;
}

export function adminKeysRoutes(opts: { keys: KeyService; adminToken?: string }) {
  const admin = adminRoute(opts.adminToken);
  return new Elysia({ name: 'admin-keys' })
    .get(
      '/admin/keys',
      admin(async () => Response.json({ keys: await opts.keys.list() }, { headers: NO_STORE })),
    )
    .post(
      '/admin/keys',
      admin(async (request) => {
        const body = await readBody(request);
        const tools = splitPatterns(body.tools);
        const { key, info } = await opts.keys.create(body.name, {
          ...(tools && { tools }),
          ...(body.expires !== undefined && { expiresAt: parseExpiry(body.expires) }),
        });
        return Response.json({ ...info, key }, { status: 201, headers: NO_STORE });
      }),
      { parse: 'none' },
    )
    .delete(
      '/admin/keys/:name',
      admin(async (_request, params) => {
        await opts.keys.revoke(params.name ?? '');
        return new Response(null, { status: 204 });
      }),
    );
}
