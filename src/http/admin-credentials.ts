// Admin HTTP API for the vault under /admin/credentials, guarded by NEXUS_ADMIN_TOKEN. Secret
// fields are write-only: no response ever carries one.
import { Elysia } from 'elysia';
import { NexusError } from '../errors.ts';
import { typeFor } from '../vault/fields.ts';
import type { CredentialInfo, Vault } from '../vault/vault.ts';
import { adminRoute } from './admin-guard.ts';

export interface AdminCredentialsDeps {
  vault: Pick<Vault, 'list' | 'lookup' | 'put' | 'delete' | 'rotateKey'>;
  adminToken?: string;
}

const BASE = '/admin/credentials';
const json = (body: unknown, status = 200) => Response.json(body, { status });
const view = (c: CredentialInfo) => ({
  ...c,
  createdAt: new Date(c.createdAt).toISOString(),
  updatedAt: new Date(c.updatedAt).toISOString(),
});
const principalOf = (req: Request) => new URL(req.url).searchParams.get('for') ?? undefined;

export function adminCredentialsRoutes(deps: AdminCredentialsDeps) {
  const admin = adminRoute(deps.adminToken);

  return new Elysia()
    .get(
      BASE,
      admin(async () => json({ credentials: (await deps.vault.list()).map(view) })),
    )
    .post(
      `${BASE}/rotate-key`,
      admin(async () => json(await deps.vault.rotateKey())),
      { parse: 'none' },
    )
    .get(
      `${BASE}/:name`,
      admin(async (req, { name = '' }) => {
        const principal = principalOf(req) ?? null;
        const found = await deps.vault.lookup(name, principal ?? undefined);
        if (!found || found.principal !== principal) throw new NexusError('NOT_FOUND', `credential "${name}" is not in the vault`);
        return json(view(found));
      }),
    )
    .put(
      `${BASE}/:name`,
      admin(async (req, { name = '' }) => {
        const body = await readBody(req);
        return json(
          view(await deps.vault.put(name, typeFor(body.type, body.secret), body.secret as Record<string, string>, principalOf(req))),
        );
      }),
      { parse: 'none' },
    )
    .delete(
      `${BASE}/:name`,
      admin(async (req, { name = '' }) => {
        await deps.vault.delete(name, principalOf(req));
        return new Response(null, { status: 204 });
      }),
      { parse: 'none' },
    );
}

/** `{ "type"?: string, "secret": { ...fields } }`; never echoes what it could not parse. */
async function readBody(req: Request): Promise<{ type?: string; secret: unknown }> {
  let body: unknown;
  try {
    body = JSON.parse(await req.text());
  } catch {
    throw new NexusError('INVALID_INPUT', 'the body must be JSON: {"type"?: "...", "secret": {...fields}}');
  }
  const b = body as Record<string, unknown> | null;
  const extra = b && typeof b === 'object' ? Object.keys(b).filter((k) => k !== 'type' && k !== 'secret') : [];
  if (!b || typeof b !== 'object' || !b.secret || extra.length || (b.type !== undefined && typeof b.type !== 'string')) {
    throw new NexusError(
      'INVALID_INPUT',
      `the body must be {"type"?: "...", "secret": {...fields}}${extra.length ? `; unknown keys: ${extra.join(', ')}` : ''}`,
    );
  }
  return { type: b.type as string | undefined, secret: b.secret };
}
