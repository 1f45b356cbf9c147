// A Stripe-style form-encoded document imported with the CLI and served: each tool reaches a backend
// as the document says (form fields nested, explode: false joined, multipart parts, DELETE body), and
// the Basic credential it carries never comes back.
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { join } from 'node:path';
import { importOpenApiCommand } from '../../../src/cli/import-openapi.ts';
import { startBackend } from '../../helpers/backend.ts';
import { startGateway, type TestGateway, tempDir } from '../../helpers/gateway.ts';
import { secretForms } from '../../helpers/secret-forms.ts';
import { canary, mcpClient } from '../e2e-vault/fixtures.ts';

const FIXTURE = join(import.meta.dir, '../../fixtures/openapi/form-shop.yaml');

const backend = startBackend(async (req, url) => {
  const type = req.headers.get('content-type') ?? '';
  const form = /^(multipart\/form-data|application\/x-www-form-urlencoded)/.test(type) ? await req.formData() : undefined;
  return Response.json({
    request: `${req.method} ${url.pathname}${decodeURIComponent(url.search)}`,
    type: type.split(';')[0],
    ...(form && { fields: [...form.entries()] }),
    ...(type.startsWith('application/json') && { json: await req.json() }),
    authorization: req.headers.get('authorization'),
  });
});

let gw: TestGateway;
let mcp: Awaited<ReturnType<typeof mcpClient>>;
let summary = '';
const secret = canary('base64');

beforeAll(async () => {
  const dir = tempDir('nexus-form-import-');
  const out: string[] = [];
  const io = { env: {}, stdout: (t: string) => out.push(t), stderr: (t: string) => out.push(t), stdin: async () => '' };
  const code = await importOpenApiCommand.run({ ...io, argv: [FIXTURE, '--out', dir, '--base-url', backend.url] });
  summary = out.join('');
  expect(code).toBe(0);
  gw = await startGateway({ toolsDir: dir });
  await gw.app.services.vault.put('form-shop-basicauth', 'basic', { username: secret, password: 'unused' });
  mcp = await mcpClient(gw);
});
afterAll(async () => {
  await mcp?.close();
  await gw?.stop();
  backend.stop();
});

test('every operation is imported; the left-out file part is reported', () => {
  expect(summary).toStartWith('4 tool(s) written to');
  expect(summary).toContain('PostFiles: body field "file" is a file, which Nexus cannot upload; field skipped');
});

test('the imported tools send what the document describes', async () => {
  const calls = [
    mcp.call('PostCustomers', { email: 'a@b.c', metadata: { plan: 'pro' }, expand: ['sources'], tags: ['x', 'y'], tax_exempt: true }),
    mcp.call('GetCustomers', { ids: ['c1', 'c2'], created: { gte: 1700000000 } }),
    mcp.call('DeleteCustomerLabels', { customer: 'c1', labels: ['vip'] }),
    mcp.call('PostFiles', { purpose: 'dispute_evidence', file_link_data: { create: true } }),
  ];
  const answers = (await Promise.all(calls)).map((r) => r.structured);
  expect(answers).toEqual([
    {
      request: 'POST /v1/customers',
      type: 'application/x-www-form-urlencoded',
      fields: [
        ['email', 'a@b.c'],
        ['metadata[plan]', 'pro'],
        ['expand[0]', 'sources'],
        ['tags', 'x'],
        ['tags', 'y'],
        ['tax_exempt', 'true'],
      ],
      authorization: '[REDACTED]',
    },
    { request: 'GET /v1/customers?ids=c1,c2&created[gte]=1700000000', type: '', authorization: '[REDACTED]' },
    { request: 'DELETE /v1/customers/c1/labels', type: 'application/json', json: { labels: ['vip'] }, authorization: '[REDACTED]' },
    {
      request: 'POST /v1/files',
      type: 'multipart/form-data',
      fields: [
        ['purpose', 'dispute_evidence'],
        ['file_link_data', '{"create":true}'],
      ],
      authorization: '[REDACTED]',
    },
  ]);
  const basic = Buffer.from(`${secret}:unused`).toString('base64');
  const seen = JSON.stringify(answers) + gw.logs.join('\n');
  expect([...secretForms(secret), ...secretForms(basic)].filter(([, v]) => seen.includes(v)).map(([f]) => f)).toEqual([]);
});
