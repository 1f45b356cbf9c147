// Through a real Nexus over MCP, a backend receives a form-encoded POST, a multipart POST, a DELETE with
// a JSON body and a comma-separated query array, each parsed by a standard parser; the credential
// the form tools carry (header and query) never comes back in any form.
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { startBackend } from '../../helpers/backend.ts';
import { startGateway, type TestGateway, toolsDir } from '../../helpers/gateway.ts';
import { secretForms } from '../../helpers/secret-forms.ts';
import { canary, mcpClient } from '../e2e-vault/fixtures.ts';

const backend = startBackend(async (req, url) => {
  const type = req.headers.get('content-type') ?? '';
  const fields = type.startsWith('multipart/') || type.startsWith('application/x-www-form-urlencoded') ? await req.formData() : undefined;
  return Response.json({
    method: req.method,
    type: type.replace(/boundary=.*/, 'boundary=…'),
    query: [...url.searchParams],
    fields: fields ? [...fields.entries()] : undefined,
    json: type.startsWith('application/json') ? await req.json() : undefined,
    // a careless backend echoes the credential; Nexus masks it
    authorization: req.headers.get('authorization'),
  });
});

const TOOLS = `backend: { base_url: "${backend.url}", timeout: 5s, auth: { type: bearer, credential: shop } }
tools:
  - name: create_customer
    description: Create a customer (form body, as Stripe takes it).
    input:
      type: object
      properties: { email: { type: string }, metadata: { type: object }, expand: { type: array }, tags: { type: array }, live: { type: boolean } }
    request: { method: POST, path: /v1/customers, encoding: form, body_styles: { tags: repeat } }
  - name: upload_note
    description: Upload a note (multipart text parts).
    input: { type: object, properties: { purpose: { type: string }, note: { type: string }, meta: { type: object } } }
    request: { method: POST, path: /v1/notes, encoding: multipart }
  - name: remove_labels
    description: Remove labels from an issue (DELETE with a JSON body).
    input: { type: object, properties: { id: { type: string }, labels: { type: array } }, required: [id] }
    request: { method: DELETE, path: "/issues/{id}/labels", body: { labels: "{labels}" } }
  - name: get_tasks
    description: Tasks by id (explode false).
    input: { type: object, properties: { ids: { type: array, items: { type: integer } }, key: { type: string } } }
    request: { method: GET, path: /tasks, query: { ids: { value: "{ids}", style: comma } } }
    auth: { type: api_key, credential: shop-key, query: api_key }
`;

let gw: TestGateway;
let mcp: Awaited<ReturnType<typeof mcpClient>>;
const secret = canary('base64');
const key = canary('base64');

beforeAll(async () => {
  gw = await startGateway({ toolsDir: toolsDir({ 'tools.yaml': TOOLS }) });
  await gw.app.services.vault.put('shop', 'bearer', { token: secret });
  await gw.app.services.vault.put('shop-key', 'api_key', { key });
  mcp = await mcpClient(gw);
});
afterAll(async () => {
  await mcp?.close();
  await gw?.stop();
  backend.stop();
});

test('a form tool sends nested fields with brackets, a repeat-style field repeated, booleans as text', async () => {
  const r = await mcp.call('create_customer', {
    email: 'a+b@example.com',
    metadata: { plan: 'pro', note: 'a&b=c' },
    expand: ['sources'],
    tags: ['x', 'y'],
    live: false,
  });
  expect(r.structured).toEqual({
    method: 'POST',
    type: 'application/x-www-form-urlencoded',
    query: [],
    fields: [
      ['email', 'a+b@example.com'],
      ['metadata[plan]', 'pro'],
      ['metadata[note]', 'a&b=c'],
      ['expand[0]', 'sources'],
      ['tags', 'x'],
      ['tags', 'y'],
      ['live', 'false'],
    ],
    authorization: '[REDACTED]',
  });
});

test('a multipart tool sends text parts and an object as a JSON part', async () => {
  const r = await mcp.call('upload_note', { purpose: 'dispute_evidence', note: 'héllo\r\nworld', meta: { a: [1] } });
  expect(r.structured).toMatchObject({
    method: 'POST',
    type: 'multipart/form-data; boundary=…',
    fields: [
      ['purpose', 'dispute_evidence'],
      ['note', 'héllo\r\nworld'],
      ['meta', '{"a":[1]}'],
    ],
  });
});

test('a DELETE carries its JSON body', async () => {
  const r = await mcp.call('remove_labels', { id: '42', labels: ['bug', 'wontfix'] });
  expect(r.structured).toMatchObject({ method: 'DELETE', type: 'application/json', json: { labels: ['bug', 'wontfix'] } });
  expect(backend.requests.at(-1)?.path).toBe('/issues/42/labels');
});

test('an explode: false query array is sent comma-separated beside the injected query key', async () => {
  const r = await mcp.call('get_tasks', { ids: [1, 2, 3] });
  expect(r.structured).toMatchObject({
    method: 'GET',
    query: [
      ['ids', '1,2,3'],
      ['api_key', '[REDACTED]'],
    ],
  });
  expect(backend.requests.at(-1)?.search).toStartWith('?ids=1%2C2%2C3&api_key=');
});

test('no form of either credential reaches an answer or a log line', async () => {
  const answers = JSON.stringify(await Promise.all([mcp.call('create_customer', { email: 'e' }), mcp.call('get_tasks', { ids: [1] })]));
  const surfaces = { answers, logs: gw.logs.join('\n') };
  const found = Object.entries(surfaces).flatMap(([where, text]) =>
    [...secretForms(secret), ...secretForms(key)].filter(([, v]) => text.includes(v)).map(([form]) => `${where}: ${form}`),
  );
  expect(found).toEqual([]);
});
