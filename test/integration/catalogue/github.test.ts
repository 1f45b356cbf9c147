// Issue 15's acceptance on a real API: GitHub's official OpenAPI document (npm @octokit/openapi, pinned)
// imported whole, then served as a 20-tool set, as a discovery catalogue, and with a projected list answer.
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importOpenApiCommand } from '../../../src/cli/import-openapi.ts';
import { loadToolsDir } from '../../../src/registry/load.ts';
import { toolByRequest, triageTools } from '../../fixtures/github/triage.ts';
import { startBackend } from '../../helpers/backend.ts';
import { startGateway, type TestGateway, tempDir } from '../../helpers/gateway.ts';
import { connect, REVISIONS } from '../../helpers/mcp-client.ts';

const SPEC = join(import.meta.dir, '../../../node_modules/@octokit/openapi/generated/api.github.com.json');
const spec = JSON.parse(readFileSync(SPEC, 'utf8'));
// a realistic page: GitHub's own documented example answer of "list repository issues", 30 times
const ISSUE = spec.components.examples['issue-items'].value[0];
const PAGE = Array.from({ length: 30 }, (_, i) => ({ ...ISSUE, id: ISSUE.id + i, number: ISSUE.number + i }));

const backend = startBackend((_req, url) =>
  url.pathname.endsWith('/issues') ? Response.json(PAGE) : Response.json({ path: url.pathname }),
);
let gw: TestGateway;
const names: Record<string, string> = {};
const SET: string[] = [];

beforeAll(async () => {
  const dir = tempDir('nexus-github-');
  const code = await importOpenApiCommand.run({
    argv: [SPEC, '--out', dir, '--base-url', backend.url],
    env: {},
    stdout: () => {},
    stderr: () => {},
    stdin: async () => '',
  });
  expect(code).toBe(0);
  const { tools } = loadToolsDir(dir);
  names.comment = toolByRequest(tools, 'POST', '/repos/{owner}/{repo}/issues/{issue_number}/comments');
  names.list = toolByRequest(tools, 'GET', '/repos/{owner}/{repo}/issues');
  SET.push(...triageTools(tools));
  writeFileSync(
    join(dir, 'github.catalogue.yaml'),
    `toolsets:
  - name: triage
    include: ${JSON.stringify(SET)}
    output_schemas: false
    max_description_chars: 200
  - name: github
    include: ["*"]
    discovery: true
overrides:
  - tool: ${names.list}
    response:
      select: "[].{number: number, title: title, state: state, user: user.login, labels: labels[].name, comments: comments}"
`,
  );
  gw = await startGateway({ toolsDir: dir });
}, 180_000);
afterAll(async () => {
  await gw?.stop();
  backend.stop();
});

for (const revision of REVISIONS) {
  test(`${revision.name}: a 20-tool set of the GitHub import lists in under 30 KB`, async () => {
    const client = await connect(new URL(`${gw.url}/mcp/triage`), revision);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual([...SET].sort());
      expect(Buffer.byteLength(JSON.stringify({ tools }))).toBeLessThan(30 * 1024);
    } finally {
      await client.close();
    }
  });

  test(`${revision.name}: discovery over all GitHub tools finds "create an issue comment" in the top 3`, async () => {
    const client = await connect(new URL(`${gw.url}/mcp/github`), revision);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(['search_tools', 'describe_tool', 'call_tool']);
    const r = await client.callTool({ name: 'search_tools', arguments: { query: 'create an issue comment', limit: 3 } });
    const found = (r.structuredContent as { tools: { name: string }[]; total: number }).tools.map((t) => t.name);
    expect(found).toContain(names.comment!);
    expect((r.structuredContent as { total: number }).total).toBeGreaterThan(1000);
    await client.close();
  });
}

test('a projected GitHub list answer is at least 5x smaller than the raw one', async () => {
  const client = await connect(gw.mcpUrl, REVISIONS[1]!);
  const r = await client.callTool({ name: names.list!, arguments: { owner: 'octocat', repo: 'hello-world' } });
  const raw = Buffer.byteLength(JSON.stringify(PAGE));
  const projected = Buffer.byteLength((r.content as { text: string }[])[0]!.text);
  expect(JSON.parse((r.content as { text: string }[])[0]!.text)[0]).toEqual({
    number: ISSUE.number,
    title: ISSUE.title,
    state: ISSUE.state,
    user: ISSUE.user.login,
    labels: ISSUE.labels.map((l: { name: string }) => l.name),
    comments: ISSUE.comments,
  });
  expect(raw / projected).toBeGreaterThanOrEqual(5);
  await client.close();
});
