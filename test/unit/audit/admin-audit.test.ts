import { describe, expect, test } from 'bun:test';
import { randomBytes } from 'node:crypto';
import { Elysia } from 'elysia';
import type { AuditQuery, AuditRecord } from '../../../src/audit/record.ts';
import { adminAuditRoutes } from '../../../src/http/admin-audit.ts';

const TOKEN = randomBytes(24).toString('base64url');
const seen: AuditQuery[] = [];
const RECORD: AuditRecord = { time: 5, caller: 'key:a', tool: 'jira_get', outcome: 'ok', latencyMs: 3 };
const app = new Elysia().use(
  adminAuditRoutes({
    audit: {
      query: async (q) => {
        seen.push(q);
        return [RECORD];
      },
    },
    adminToken: TOKEN,
  }),
);
const get = (path: string, token = TOKEN) =>
  app.handle(new Request(`http://localhost${path}`, { headers: { authorization: `Bearer ${token}` } }));

describe('GET /admin/audit', () => {
  test('passes the filters to the audit query and returns the records', async () => {
    const res = await get('/admin/audit?since=2030-01-01T00:00:00Z&caller=key:a&tool=jira_get&limit=5');
    expect([res.status, await res.json(), seen.at(-1)]).toEqual([
      200,
      { records: [RECORD] },
      { since: Date.UTC(2030, 0, 1), caller: 'key:a', tool: 'jira_get', limit: 5 },
    ]);
  });

  test('a bad filter is 400 INVALID_INPUT and a wrong token is 401', async () => {
    const bad = await get('/admin/audit?since=yesterday');
    const denied = await get('/admin/audit', 'wrong-token-value');
    expect([bad.status, ((await bad.json()) as { code: string }).code, denied.status]).toEqual([400, 'INVALID_INPUT', 401]);
  });
});
