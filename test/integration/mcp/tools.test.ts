// An official SDK client, in each revision, lists and calls YAML-declared tools through a real gateway.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { startBackend } from '../../helpers/backend.ts';
import { startGateway, type TestGateway, toolsDir } from '../../helpers/gateway.ts';
import { connect, REVISIONS } from '../../helpers/mcp-client.ts';

const backend = startBackend((req, url) => {
  if (url.pathname.startsWith('/api/issue/'))
    return Response.json({ key: decodeURIComponent(url.pathname.split('/').pop()!), summary: 'Broken login' });
  if (url.pathname === '/api/issue' && req.method === 'POST') return Response.json({ key: 'PROJ-9' }, { status: 201 });
  if (url.pathname === '/api/boom') return new Response('database exploded', { status: 500, statusText: 'Internal Server Error' });
  if (url.pathname === '/api/list') return Response.json([1, 2, 3]);
  return Response.json({ error: 'nope' }, { status: 404 });
});

const TOOLS = `
backend:
  base_url: ${backend.url}/api
  timeout: 5s
tools:
  - name: get_issue
    title: Get issue
    description: Fetch an issue by key.
    input:
      type: object
      properties:
        key: { type: string, pattern: "^[A-Z]+-[0-9]+$", description: "Issue key" }
        expand: { type: string }
      required: [key]
      additionalProperties: false
    request:
      method: GET
      path: /issue/{key}
      query: { fields: "summary,status", expand: "{expand}" }
    output:
      type: object
      properties: { key: { type: string }, summary: { type: string } }
      required: [key]
    annotations: { readOnlyHint: true }
  - name: create_issue
    description: Create an issue.
    input:
      type: object
      properties:
        project: { type: string }
        summary: { type: string }
        labels: { type: array, items: { type: string } }
      required: [project, summary]
    request:
      method: POST
      path: /issue
  - name: boom
    description: Always fails.
    request: { method: GET, path: /boom }
  - name: list_numbers
    description: Returns a JSON array.
    request: { method: GET, path: /list }
`;

let gw: TestGateway;
beforeAll(async () => {
  gw = await startGateway({ toolsDir: toolsDir({ 'issues.yaml': TOOLS }) });
});
afterAll(async () => {
  await gw.stop();
  backend.stop();
});

for (const rev of REVISIONS) {
  describe(`MCP ${rev.name}`, () => {
    test('lists every tool with its schemas and annotations intact', async () => {
      await using client = await connect(gw.mcpUrl, rev).then((c) => Object.assign(c, { [Symbol.asyncDispose]: () => c.close() }));
      expect(client.getNegotiatedProtocolVersion()).toBe(rev.name);
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(['get_issue', 'create_issue', 'boom', 'list_numbers']);
      expect(tools[0]).toEqual({
        name: 'get_issue',
        title: 'Get issue',
        description: 'Fetch an issue by key.',
        inputSchema: {
          type: 'object',
          properties: { key: { type: 'string', pattern: '^[A-Z]+-[0-9]+$', description: 'Issue key' }, expand: { type: 'string' } },
          required: ['key'],
          additionalProperties: false,
        },
        outputSchema: { type: 'object', properties: { key: { type: 'string' }, summary: { type: 'string' } }, required: ['key'] },
        annotations: { readOnlyHint: true },
      });
    });

    test('a GET tool fills the path and query and returns structured content', async () => {
      const client = await connect(gw.mcpUrl, rev);
      const before = backend.requests.length;
      const result = await client.callTool({ name: 'get_issue', arguments: { key: 'PROJ-1' } });
      await client.close();
      expect(result.isError).toBe(false);
      expect(result.structuredContent).toEqual({ key: 'PROJ-1', summary: 'Broken login' });
      expect(result.content).toEqual([{ type: 'text', text: '{"key":"PROJ-1","summary":"Broken login"}' }]);
      const sent = backend.requests.slice(before);
      expect(sent.map((r) => [r.method, r.path, r.search])).toEqual([['GET', '/api/issue/PROJ-1', '?fields=summary%2Cstatus']]);
    });

    test('a POST tool sends the arguments as a JSON body', async () => {
      const client = await connect(gw.mcpUrl, rev);
      const before = backend.requests.length;
      const result = await client.callTool({ name: 'create_issue', arguments: { project: 'PROJ', summary: 'New', labels: ['a'] } });
      await client.close();
      expect(result.structuredContent).toEqual({ key: 'PROJ-9' });
      const [sent] = backend.requests.slice(before);
      expect(sent!.method).toBe('POST');
      expect(sent!.headers['content-type']).toBe('application/json');
      expect(JSON.parse(sent!.body)).toEqual({ project: 'PROJ', summary: 'New', labels: ['a'] });
    });

    test('a backend 500 is a tool result with isError and an excerpt', async () => {
      const client = await connect(gw.mcpUrl, rev);
      const result = await client.callTool({ name: 'boom', arguments: {} });
      await client.close();
      expect(result.isError).toBe(true);
      expect(result.content).toEqual([{ type: 'text', text: 'Backend answered 500 Internal Server Error: database exploded' }]);
    });

    test('a JSON array answer is returned as text without structured content', async () => {
      const client = await connect(gw.mcpUrl, rev);
      const result = await client.callTool({ name: 'list_numbers', arguments: {} });
      await client.close();
      expect(result.isError).toBe(false);
      expect(result.content).toEqual([{ type: 'text', text: '[1,2,3]' }]);
    });

    test('invalid arguments are rejected with every issue and nothing reaches the backend', async () => {
      const client = await connect(gw.mcpUrl, rev);
      const before = backend.requests.length;
      const err = await client.callTool({ name: 'get_issue', arguments: { key: 'lower-1', extra: 1 } }).catch((e) => e);
      await client.close();
      expect(err.code).toBe(-32602);
      expect(err.data.issues).toEqual(['arguments.extra: is not allowed', 'arguments.key: must match pattern "^[A-Z]+-[0-9]+$"']);
      expect(backend.requests.length).toBe(before);
    });

    test('an unknown tool is a protocol error that names it', async () => {
      const client = await connect(gw.mcpUrl, rev);
      const err = await client.callTool({ name: 'no_such_tool', arguments: {} }).catch((e) => e);
      await client.close();
      expect(err.code).toBe(-32602);
      expect(err.message).toContain('Unknown tool: no_such_tool');
    });

    test('an unknown prompt is a protocol error that names it (no federated server offers prompts here)', async () => {
      const client = await connect(gw.mcpUrl, rev);
      const err = await client.getPrompt({ name: 'no_such_prompt' }).catch((e) => e);
      await client.close();
      expect(err.code).toBe(-32602);
      expect(err.message).toContain('Unknown prompt: no_such_prompt');
    });
  });
}
