// Shared by every /admin plugin: Bearer NEXUS_ADMIN_TOKEN compared in constant time, and every
// failure as RFC 9457 problem+json `{ type, title, status, detail, code }`.
import { createHash, timingSafeEqual } from 'node:crypto';
import { NexusError } from '../errors.ts';
import { type BodyLimits, CLOSE, readBodyText } from './body.ts';
import { problem } from './problem.ts';

export { problem };

const digest = (s: string) => createHash('sha256').update(s).digest();

/** A constant-time check of `Authorization: Bearer <token>` against one configured token. */
export function bearerCheck(token: string): (request: Request) => boolean {
  const expected = digest(token);
  return (request) => {
    const m = /^Bearer (.+)$/i.exec(request.headers.get('authorization') ?? '');
    return !!m && timingSafeEqual(digest(m[1]!), expected);
  };
}

export type AdminHandler = (request: Request, params: Readonly<Record<string, string | undefined>>) => Promise<Response>;

/** Admin bodies are small JSON documents: 1 MiB, received within 15 s, strict UTF-8. */
export const ADMIN_BODY_LIMITS: BodyLimits = { maxBytes: 1 << 20, timeoutMs: 15_000 };

/** The request with its body already read under the limits (the handler reads it as usual). */
async function withBodyRead(request: Request, limits: BodyLimits): Promise<Request> {
  if (request.method === 'GET' || request.method === 'HEAD' || request.body === null) return request;
  const text = await readBodyText(request, limits);
  return new Request(request.url, { method: request.method, headers: request.headers, body: text });
}

/**
 * Wraps admin route bodies: checks the bearer token (hashing both sides makes the comparison
 * constant-time whatever the length), reads the request body under ADMIN_BODY_LIMITS, then runs
 * the handler; any error becomes problem+json. Without a configured token the admin API is
 * disabled (403).
 */
export function adminRoute(adminToken: string | undefined, limits: BodyLimits = ADMIN_BODY_LIMITS) {
  const allowed = adminToken ? bearerCheck(adminToken) : undefined;
  return (fn: AdminHandler) =>
    async ({ request, params }: { request: Request; params?: Record<string, string | undefined> }): Promise<Response> => {
      if (!allowed) return problem(new NexusError('FORBIDDEN', 'admin API disabled (set NEXUS_ADMIN_TOKEN)'));
      if (!allowed(request)) {
        return problem(new NexusError('UNAUTHORIZED', 'a valid admin bearer token is required'), { 'www-authenticate': 'Bearer' });
      }
      let read: Request;
      try {
        read = await withBodyRead(request, limits);
      } catch (e) {
        return problem(e, CLOSE);
      }
      try {
        return await fn(read, params ?? {});
      } catch (e) {
        return problem(e);
      }
    };
}
