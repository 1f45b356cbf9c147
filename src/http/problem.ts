// RFC 9457 problem+json for every HTTP surface (REST tools, admin API): `{ type, title, status, detail,
// code }` plus the error's secret-free details as extension members. Non-Nexus errors become a bare
// INTERNAL, so no message of unknown origin leaks.
import { STATUS_CODES } from 'node:http';
import { toNexusError } from '../errors.ts';

export function problem(e: unknown, headers: Record<string, string> = {}): Response {
  const err = toNexusError(e);
  const status = err.httpStatus;
  const { wwwAuthenticate, ...extensions } = err.details ?? {};
  const body = {
    type: `https://nexus.dev/problems/${err.code.toLowerCase().replace(/_/g, '-')}`,
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail: err.message,
    code: err.code,
    ...extensions,
  };
  return new Response(JSON.stringify(body), {
    status,
    headers: {
      'content-type': 'application/problem+json',
      'cache-control': 'no-store',
      ...(typeof wwwAuthenticate === 'string' && { 'www-authenticate': wwwAuthenticate }),
      ...headers,
    },
  });
}
