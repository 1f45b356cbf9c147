// Shared by every /admin plugin: Bearer NEXUS_ADMIN_TOKEN compared in constant time, and every
// failure as RFC 9457 problem+json `{ type, title, status, detail, code }`.
import { createHash, timingSafeEqual } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { NexusError, toNexusError } from '../errors.ts';

/** A problem+json response for any error; non-Nexus errors become a bare INTERNAL (no message leak). */
export function problem(e: unknown, extraHeaders: Record<string, string> = {}): Response {
  const err = toNexusError(e);
  const status = err.httpStatus;
  const body = {
    type: `https://nexus.dev/problems/${err.code.toLowerCase().replace(/_/g, '-')}`,
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail: err.message,
    code: err.code,
    ...(err.details ? { details: err.details } : {}),
  };
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store', ...extraHeaders } });
}

const digest = (s: string) => createHash('sha256').update(s).digest();

export type AdminHandler = (request: Request, params: Readonly<Record<string, string | undefined>>) => Promise<Response>;

/**
 * Wraps admin route bodies: checks the bearer token (hashing both sides makes the comparison
 * constant-time whatever the length), then runs the body; any error becomes problem+json.
 * Without a configured token the admin API is disabled (403).
 */
export function adminRoute(adminToken: string | undefined) {
  const expected = adminToken ? digest(adminToken) : undefined;
  return (fn: AdminHandler) =>
    async ({ request, params }: { request: Request; params?: Record<string, string | undefined> }): Promise<Response> => {
      if (!expected) return problem(new NexusError('FORBIDDEN', 'admin API disabled (set NEXUS_ADMIN_TOKEN)'));
      const m = /^Bearer (.+)$/i.exec(request.headers.get('authorization') ?? '');
      if (!m || !timingSafeEqual(digest(m[1]!), expected)) {
        return problem(new NexusError('UNAUTHORIZED', 'a valid admin bearer token is required'), { 'www-authenticate': 'Bearer' });
      }
      try {
        return await fn(request, params ?? {});
      } catch (e) {
        return problem(e);
      }
    };
}
