// GET /admin/audit?since=1h&caller=&tool=&limit=: the newest audit records, filtered.
import { Elysia } from 'elysia';
import { type AuditReader, parseAuditQuery } from '../audit/record.ts';
import { adminRoute } from './admin-guard.ts';

export function adminAuditRoutes(opts: { audit: AuditReader; adminToken?: string }) {
  const admin = adminRoute(opts.adminToken);
  return new Elysia({ name: 'admin-audit' }).get(
    '/admin/audit',
    admin(async (request) => {
      const q = new URL(request.url).searchParams;
      const records = await opts.audit.query(
        parseAuditQuery({ since: q.get('since'), caller: q.get('caller'), tool: q.get('tool'), limit: q.get('limit') }),
      );
      return Response.json({ records }, { headers: { 'cache-control': 'no-store' } });
    }),
  );
}
