// The credential step of `nexus check`: a tool whose credential is missing or of another type is an
// issue at the tool's line; the vault is asked once per name.
import { expect, test } from 'bun:test';
import { credentialIssues, credentialNames, serverCredentialIssues } from '../../../src/registry/credentials-check.ts';
import { loadToolsDir } from '../../../src/registry/load.ts';
import { formatIssue } from '../../../src/registry/yaml-file.ts';
import { toolsDir } from '../../helpers/files.ts';

const tools = () => {
  const dir = toolsDir({
    'crm.yaml': `backend:
  base_url: http://crm.local
  auth: { type: api_key, credential: crm-key, header: X-Key }
tools:
  - name: crm_search
    description: Search.
    request: { method: GET, path: /search }
  - name: crm_public
    description: No auth.
    request: { method: GET, path: /public }
    auth: { type: none }
  - name: crm_admin
    description: Admin.
    request: { method: GET, path: /admin }
    auth: { type: basic, credential: crm-admin }
`,
    'jira.yaml': `backend: { base_url: "http://jira.local" }
tools:
  - name: jira_get
    description: Get.
    request: { method: GET, path: /issue }
    auth: { type: basic, credential: jira-bot }
  - name: jira_user
    description: As the user.
    request: { method: GET, path: /me }
    auth: { type: bearer, credential: jira-user }
`,
  });
  const loaded = loadToolsDir(dir, { env: {}, displayRoot: dir, thorough: true, precise: true });
  expect(loaded.issues).toEqual([]);
  return loaded.tools;
};

const vault = (entries: Record<string, string>) => {
  const asked: string[] = [];
  return {
    asked,
    lookup: async (name: string) => {
      asked.push(name);
      return entries[name] ? { type: entries[name] } : undefined;
    },
  };
};

test('a missing credential and one of the wrong type are issues at the tool, naming both types', async () => {
  const v = vault({ 'crm-key': 'api_key', 'crm-admin': 'bearer', 'jira-user': 'bearer' });
  expect((await credentialIssues(tools(), v.lookup)).map(formatIssue)).toEqual([
    'crm.yaml:12 tools[2].auth.credential: credential "crm-admin" is a bearer credential, the tool needs basic',
    'jira.yaml:3 tools[0].auth.credential: credential "jira-bot" is not in the vault',
  ]);
});

test('a backend-wide credential is checked for every tool that uses it, asking the vault once', async () => {
  const v = vault({ 'crm-admin': 'basic', 'jira-bot': 'basic', 'jira-user': 'bearer' });
  expect((await credentialIssues(tools(), v.lookup)).map(formatIssue)).toEqual([
    'crm.yaml:5 tools[0].auth.credential: credential "crm-key" is not in the vault',
  ]);
  expect(v.asked).toEqual(['crm-key', 'crm-admin', 'jira-bot', 'jira-user']);
});

test('every credential present with the right type gives no issue, and tools without auth are not asked about', async () => {
  const v = vault({ 'crm-key': 'api_key', 'crm-admin': 'basic', 'jira-bot': 'basic', 'jira-user': 'bearer' });
  expect(await credentialIssues(tools(), v.lookup)).toEqual([]);
  expect(credentialNames(tools())).toEqual(['crm-key', 'crm-admin', 'jira-bot', 'jira-user']);
});

test("a server's auth credential that is missing or of another type is an issue at the server's line", async () => {
  const dir = toolsDir({
    's.yaml': `servers:
  - name: gh
    url: https://mcp.example.com/mcp
    auth: { type: bearer, credential: gh-token }
  - name: files
    command: npx
  - name: crm
    url: https://crm.example.com/mcp
    auth: { type: bearer, credential: crm-key }
`,
  });
  const { servers } = loadToolsDir(dir, { env: {}, displayRoot: dir, thorough: true, precise: true });
  const vault: Record<string, { type: string }> = { 'crm-key': { type: 'api_key' } };
  const issues = await serverCredentialIssues(servers, async (n) => vault[n]);
  expect(credentialNames([], servers)).toEqual(['gh-token', 'crm-key']);
  expect(issues.map(formatIssue)).toEqual([
    's.yaml:2 servers[0].auth.credential: credential "gh-token" is not in the vault',
    's.yaml:7 servers[2].auth.credential: credential "crm-key" is a api_key credential, the server needs bearer',
  ]);
});
