// Older clients on the deprecated HTTP+SSE transport (2024-11-05): SDK v1 SSEClientTransport of two
// eras connects on /sse (and on /mcp), lists and calls tools through the same pipeline as /mcp.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { startBackend } from '../../helpers/backend.ts';
import { startGateway, type TestGateway, toolsDir } from '../../helpers/gateway.ts';
import { connectSse, SSE_CLIENTS } from '../../helpers/legacy-clients.ts';

const backend = startBackend((_req, url) => Response.json({ key: decodeURIComponent(url.pathname.split('/').pop()!), summary: 'Broken login' }));
const TOOLS = `
backend: { base_url: ${backend.url}/api, timeout: 5s }
tools:
  - name: get_issue
    description: Fetch an issue by key.
    input:
      type: object
      properties: { key: { type: string } }
      required: [key]
    request: { method: GET, path: "/issue/{key}" }
`;

let gw: TestGateway;
beforeAll(async () => {
  gw = await startGateway({ toolsDir: toolsDir({ 'tools.yaml': TOOLS }) });
});
afterAll(async () => {
  await gw.stop();
  backend.stop();
});

describe.each(SSE_CLIENTS)('$name over HTTP+SSE', (kind) => {
  for (const path of ['/sse', '/mcp']) {
    test(`connects on ${path}, lists and calls a tool`, async () => {
      const client = await connectSse(kind, new URL(`${gw.url}${path}`));
      try {
        const { tools } = await client.listTools();
        expect(tools.map((t) => t.name)).toEqual(['get_issue']);
        const r = await client.callTool({ name: 'get_issue', arguments: { key: 'PROJ-1' } });
        expect(r.isError).toBe(false);
        expect(r.structuredContent).toEqual({ key: 'PROJ-1', summary: 'Broken login' });
      } finally {
        await client.close();
      }
    });
  }
});
