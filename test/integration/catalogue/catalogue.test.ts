// Tool sets, overrides, answer projection and discovery through a real gateway and the official SDK
// client, in both protocol revisions.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { startBackend } from '../../helpers/backend.ts';
import { startGateway, type TestGateway, toolsDir } from '../../helpers/gateway.ts';
import { connect, REVISIONS } from '../../helpers/mcp-client.ts';

const ISSUES = {
  total: 3,
  issues: [1, 2, 3].map((n) => ({
    key: `PROJ-${n}`,
    id: String(10000 + n),
    self: `https://jira.example/rest/api/2/issue/${10000 + n}`,
    fields: { summary: `Issue ${n}`, status: { name: n === 1 ? 'Open' : 'Done', id: '1' }, assignee: null, labels: [] },
  })),
};

const backend = startBackend((req, url) => {
  if (url.pathname === '/search') return Response.json(ISSUES);
  if (url.pathname.startsWith('/repos/')) return Response.json({ path: url.pathname, query: url.search });
  return Response.json({ ok: true, method: req.method });
});

const TOOLS = `
backend: { base_url: ${backend.url} }
tools:
  - name: jira_search_issues
    description: Search issues with JQL.
    input: { type: object, properties: { jql: { type: string } }, required: [jql] }
    output:
      type: object
      properties:
        total: { type: integer }
        issues:
          type: array
          items:
            type: object
            required: [key]
            properties:
              key: { type: string }
              fields: { type: object, properties: { summary: { type: string }, status: { type: object, properties: { name: { type: string } } } } }
    request: { method: GET, path: /search, query: { jql: "{jql}" } }
    response:
      select: "{total: total, issues: issues[].{key: key, summary: fields.summary, status: fields.status.name}}"
      max_items: 2
  - name: jira_delete_issue
    description: Delete an issue.
    input: { type: object, properties: { key: { type: string } }, required: [key] }
    request: { method: DELETE, path: "/issue/{key}" }
  - name: repos_list_for_org
    description: List repositories of an organisation.
    input:
      type: object
      properties:
        org: { type: string }
        per_page: { type: integer, maximum: 100 }
        sort: { type: string, enum: [created, updated] }
        type: { type: string }
      required: [org]
    request: { method: GET, path: "/repos/{org}", query: { per_page: "{per_page}", sort: "{sort}", type: "{type}" } }
`;
const CATALOGUE = `
toolsets:
  - name: triage
    description: Read-only issue triage.
    instructions: Use these tools to triage issues.
    include: ["jira_*"]
    exclude: ["*_delete_*"]
  - name: everything
    include: ["*"]
    discovery: true
overrides:
  - tool: repos_list_for_org
    name: list_org_repos
    description: List the repositories of the acme organisation.
    arguments:
      org: { value: acme }
      per_page: { value: 20 }
      sort: { default: updated }
      type: { hide: true }
    annotations: { readOnlyHint: true }
`;

let gw: TestGateway;
beforeAll(async () => {
  gw = await startGateway({ toolsDir: toolsDir({ 'tools.yaml': TOOLS, 'catalogue.overrides.yaml': CATALOGUE }) });
});
afterAll(async () => {
  await gw.stop();
  backend.stop();
});

const text = (r: { content?: unknown }) => (r.content as { type: string; text: string }[]).map((c) => c.text);

for (const revision of REVISIONS) {
  describe(`${revision.name} client`, () => {
    test('a tool set endpoint lists only its tools and sends its instructions', async () => {
      const client = await connect(new URL(`${gw.url}/mcp/triage`), revision);
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(['jira_search_issues']);
      expect(client.getInstructions()).toBe('Use these tools to triage issues.');
      await client.close();
    });

    test('a tool outside the set is refused like an unknown tool, and an unknown set is a 404', async () => {
      const client = await connect(new URL(`${gw.url}/mcp/triage`), revision);
      const err = await client.callTool({ name: 'jira_delete_issue', arguments: { key: 'PROJ-1' } }).catch((e) => e);
      expect(String(err.message)).toContain('Unknown tool: jira_delete_issue');
      expect(backend.requests.some((r) => r.method === 'DELETE')).toBe(false);
      await client.close();
      const res = await fetch(`${gw.url}/mcp/nope`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(res.status).toBe(404);
      expect((await res.json()).error.message).toContain('Unknown tool set: nope');
    });

    test('a projected answer keeps the selected fields, cuts the list with a note, and matches its outputSchema', async () => {
      const client = await connect(new URL(`${gw.url}/mcp/triage`), revision);
      const { tools } = await client.listTools();
      expect(tools[0]!.outputSchema).toEqual({
        type: 'object',
        properties: {
          total: { type: ['integer', 'null'] },
          issues: {
            type: ['array', 'null'],
            items: {
              type: ['object', 'null'],
              properties: {
                key: { type: ['string', 'null'] },
                summary: { type: ['string', 'null'] },
                status: { type: ['string', 'null'] },
              },
            },
          },
        },
      });
      const r = await client.callTool({ name: 'jira_search_issues', arguments: { jql: 'project = PROJ' } });
      const projected = {
        total: 3,
        issues: [
          { key: 'PROJ-1', summary: 'Issue 1', status: 'Open' },
          { key: 'PROJ-2', summary: 'Issue 2', status: 'Done' },
        ],
      };
      expect(r.structuredContent).toEqual(projected);
      expect(text(r)).toEqual([JSON.stringify(projected), '[Nexus cut long lists: $.issues: showing 2 of 3 items (1 left out)]']);
      await client.close();
    });

    test('an override renames, fixes and hides arguments, sets a default, and marks the tool read-only', async () => {
      const client = await connect(gw.mcpUrl, revision);
      const { tools } = await client.listTools();
      const t = tools.find((x) => x.name === 'list_org_repos')!;
      expect(tools.some((x) => x.name === 'repos_list_for_org')).toBe(false);
      expect(t.description).toBe('List the repositories of the acme organisation.');
      expect(t.inputSchema).toEqual({
        type: 'object',
        properties: { sort: { type: 'string', enum: ['created', 'updated'], default: 'updated' } },
        additionalProperties: false,
      });
      expect(t.annotations).toEqual({ readOnlyHint: true });
      const r = await client.callTool({ name: 'list_org_repos', arguments: {} });
      expect(r.structuredContent).toEqual({ path: '/repos/acme', query: '?per_page=20&sort=updated' });
      const refused = await client.callTool({ name: 'list_org_repos', arguments: { org: 'evil' } }).catch((e) => e);
      expect(String(refused.message ?? JSON.stringify(refused))).toContain('arguments.org: is not allowed');
      await client.close();
    });

    test('a discovery set lists three meta-tools; search finds, describe explains, call_tool runs the pipeline', async () => {
      const client = await connect(new URL(`${gw.url}/mcp/everything`), revision);
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(['search_tools', 'describe_tool', 'call_tool']);
      const found = await client.callTool({ name: 'search_tools', arguments: { query: 'list repositories of an organisation' } });
      expect((found.structuredContent as { tools: { name: string }[] }).tools[0]!.name).toBe('list_org_repos');
      const described = await client.callTool({ name: 'describe_tool', arguments: { name: 'jira_search_issues' } });
      expect((described.structuredContent as { inputSchema: unknown }).inputSchema).toEqual({
        type: 'object',
        properties: { jql: { type: 'string' } },
        required: ['jql'],
      });
      const called = await client.callTool({ name: 'call_tool', arguments: { name: 'list_org_repos', arguments: { sort: 'created' } } });
      expect(called.structuredContent).toEqual({ path: '/repos/acme', query: '?per_page=20&sort=created' });
      const unknown = await client.callTool({ name: 'describe_tool', arguments: { name: 'nope' } });
      expect(unknown.isError).toBe(true);
      await client.close();
    });
  });
}

test('GET /api/toolsets gives every set with its size, and /api/toolsets/{name} is the set as OpenAPI', async () => {
  const res = await fetch(`${gw.url}/api/toolsets`);
  const body = await res.json();
  expect(body.toolsets.map((s: { name: string; tools: number; discovery: boolean }) => [s.name, s.tools, s.discovery])).toEqual([
    ['triage', 1, false],
    ['everything', 3, true],
  ]);
  expect(body.toolsets[0].bytes).toBeGreaterThan(100);
  expect(body.toolsets[1].discoveryList.tools).toBe(3);
  const doc = await (await fetch(`${gw.url}/api/toolsets/triage`)).json();
  expect(Object.keys(doc.paths)).toEqual(['/api/tools/jira_search_issues']);
});

test('the docs page (/openapi.json info) shows the size of every endpoint, with discovery sets marked', async () => {
  const doc = await (await fetch(`${gw.url}/openapi.json`)).json();
  const rows = (doc.info.description as string).split('\n').filter((l) => l.startsWith('| `'));
  expect(rows.map((r) => r.split('|').map((c) => c.trim())[1])).toEqual(['`/mcp`', '`/mcp/triage`', '`/mcp/everything`']);
  expect(rows[1]).toMatch(/^\| `\/mcp\/triage` \| 1 \| [\d.]+ KB \| ~[\d,]+ \|$/);
  expect(rows[2]).toContain('discovery: clients load 3 meta-tools');
});
