// A client key confined to a tool set (`--tools @triage`) sees and calls only that set's tools, on
// every endpoint, and the confinement follows the set when a reload changes it.
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startBackend } from '../../helpers/backend.ts';
import { startGateway, type TestGateway, toolsDir } from '../../helpers/gateway.ts';
import { connect, REVISIONS } from '../../helpers/mcp-client.ts';

const backend = startBackend(() => Response.json({ ok: true }));
const tool = (name: string) => `
  - name: ${name}
    description: The ${name.replace(/_/g, ' ')} tool.
    request: { method: GET, path: /${name} }`;
const TOOLS = `backend: { base_url: ${backend.url} }\ntools:${['jira_get_issue', 'jira_search', 'jira_delete_issue', 'crm_lookup'].map(tool).join('')}\n`;
const sets = (include: string) => `toolsets:
  - name: triage
    include: [${include}]
    exclude: ["*_delete_*"]
  - name: all
    include: ["*"]
    discovery: true
`;

let gw: TestGateway;
let dir: string;
let key: string;
beforeAll(async () => {
  dir = toolsDir({ 'tools.yaml': TOOLS, 'sets.yaml': sets('"jira_*"') });
  gw = await startGateway({ toolsDir: dir });
  key = (await gw.app.services.keys.create('triage-agent', { tools: ['@triage'] })).key;
});
afterAll(async () => {
  await gw.stop();
  backend.stop();
});

for (const revision of REVISIONS) {
  test(`${revision.name}: a key confined to @triage lists and calls only the set's tools, on /mcp too`, async () => {
    const client = await connect(gw.mcpUrl, revision, { authorization: `Bearer ${key}` });
    try {
      expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['jira_get_issue', 'jira_search']);
      expect((await client.callTool({ name: 'jira_search', arguments: {} })).isError).toBe(false);
      const denied = await client.callTool({ name: 'crm_lookup', arguments: {} }).catch((e) => e);
      expect(String(denied.message)).toContain('Unknown tool: crm_lookup');
    } finally {
      await client.close();
    }
  });

  test(`${revision.name}: through discovery the confined key finds and calls only the set's tools`, async () => {
    const client = await connect(new URL(`${gw.url}/mcp/all`), revision, { authorization: `Bearer ${key}` });
    try {
      const r = await client.callTool({ name: 'search_tools', arguments: { query: 'crm lookup delete issue', limit: 10 } });
      expect((r.structuredContent as { tools: { name: string }[] }).tools.map((t) => t.name).sort()).toEqual(['jira_get_issue']);
      const denied = await client.callTool({ name: 'call_tool', arguments: { name: 'jira_delete_issue' } }).catch((e) => e);
      expect(String(denied.message)).toContain('Unknown tool: jira_delete_issue');
    } finally {
      await client.close();
    }
  });
}

test('when a reload changes the set, the confined key follows it', async () => {
  writeFileSync(join(dir, 'sets.yaml'), sets('"crm_*"'));
  expect(gw.app.reload().ok).toBe(true);
  const client = await connect(gw.mcpUrl, REVISIONS[1]!, { authorization: `Bearer ${key}` });
  try {
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['crm_lookup']);
  } finally {
    await client.close();
  }
});
