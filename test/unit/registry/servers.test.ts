// `servers:` entries are validated like tools: every issue with file and line, names unique.
import { expect, test } from 'bun:test';
import { runCli } from '../../../src/cli/index.ts';
import { loadToolsDir } from '../../../src/registry/load.ts';
import { formatIssue } from '../../../src/registry/yaml-file.ts';
import { toolsDir } from '../../helpers/gateway.ts';

const BROKEN = `servers:
  - name: GitHub
    url: https://mcp.example.com/mcp
  - name: both
    url: https://mcp.example.com/mcp
    command: npx
  - name: files
    command: npx
    headers: { X-Team: a }
    timeout: soon
  - name: remote
    url: ftp://example.com
    args: ["-y"]
    colour: red
`;

test('every issue of a broken servers block is reported with file, line and path', () => {
  const dir = toolsDir({ 'servers.yaml': BROKEN });
  const { issues } = loadToolsDir(dir, { env: {}, displayRoot: dir });
  expect(issues.map(formatIssue).sort()).toEqual(
    [
      'servers.yaml:2 servers[0].name: expected 1-32 characters from a-z 0-9 - (starting with a letter or digit)',
      'servers.yaml:6 servers[1].command: a server needs exactly one of url (remote) or command (stdio)',
      'servers.yaml:9 servers[2].headers: headers is for remote servers (url:), not command:',
      'servers.yaml:10 servers[2].timeout: expected a duration like 500ms, 30s, 5m, 1h',
      'servers.yaml:13 servers[3].args: args is for stdio servers (command:), not url:',
      'servers.yaml:14 servers[3].colour: unknown key "colour"',
    ].sort(),
  );
});

test('a URL that is not http(s) is reported at its line', () => {
  const dir = toolsDir({ 's.yaml': 'servers:\n  - name: remote\n    url: ftp://example.com\n' });
  expect(loadToolsDir(dir, { env: {}, displayRoot: dir }).issues.map(formatIssue)).toEqual([
    's.yaml:3 servers[0].url: expected an http(s) URL, got "ftp://example.com"',
  ]);
});

test('a duplicate server, a shared namespace and a file tool in a server namespace name both files', () => {
  const dir = toolsDir({
    'a.yaml': 'servers:\n  - name: gh\n    url: http://a/mcp\n',
    'b.yaml': `servers:
  - name: gh
    command: gh-mcp
  - name: other
    prefix: gh
    command: x
backend: { base_url: "http://b" }
tools:
  - name: gh__list
    description: B.
    request: { method: GET, path: /b }
`,
  });
  const { issues, servers } = loadToolsDir(dir, { env: {}, displayRoot: dir });
  expect(issues.map(formatIssue)).toEqual([
    'b.yaml:2 name: server "gh" is already declared at a.yaml:2',
    'b.yaml:4 name: server "other" uses the namespace "gh" of server "gh" at a.yaml:2',
    'b.yaml:9 name: tool name "gh__list" is in the namespace of server "gh" at a.yaml:2',
  ]);
  expect(servers.map((s) => s.name)).toEqual(['gh', 'gh', 'other']);
});

test('nexus check prints the issues of a servers block and exits 1', async () => {
  const dir = toolsDir({ 'servers.yaml': BROKEN });
  const err: string[] = [];
  const code = await runCli(['check', '--tools', dir, '--no-credentials'], {
    env: {},
    stdout: () => {},
    stderr: (s) => err.push(s),
    stdin: async () => '',
  });
  expect(code).toBe(1);
  expect(err.join('')).toContain('servers.yaml:6 servers[1].command: a server needs exactly one of url (remote) or command (stdio)');
});

test('a valid file with servers only is fine, and nexus check counts its servers', async () => {
  const dir = toolsDir({
    'servers.yaml': `servers:
  - name: github
    url: https://mcp.example.com/mcp
    auth: { type: bearer, credential: gh-token }
    include: ["get_*"]
    tools:
      get_issue: { cache: { ttl: 1m }, rate_limit: { requests: 10, per: 1m }, audit_arguments: true }
  - name: files
    command: npx
    args: ["-y", "@modelcontextprotocol/server-filesystem", "/srv/share"]
    env: { LOG_LEVEL: info }
`,
  });
  const out: string[] = [];
  const code = await runCli(['check', '--tools', dir, '--no-credentials'], {
    env: {},
    stdout: (s) => out.push(s),
    stderr: () => {},
    stdin: async () => '',
  });
  expect([code, out.join('')]).toEqual([
    0,
    `ok: 0 tool(s) and 2 server(s) in 1 file(s) under ${dir}\ntools/list sizes (without the servers' tools, listed at run time): /mcp: 0 tool(s), 12 B (~3 tokens)\n`,
  ]);
});

test('auth env: is for stdio servers only, and a stdio server with auth needs it', () => {
  const dir = toolsDir({
    'a.yaml': `servers:
  - name: remote
    url: http://a/mcp
    auth: { type: bearer, credential: t, env: TOKEN }
  - name: local
    command: gh-mcp
    auth: { type: bearer, credential: t }
  - name: basic
    command: x
    auth: { type: basic, credential: b }
  - name: ok
    command: x
    auth: { type: api_key, credential: k, env: API_KEY }
backend: { base_url: "http://b" }
tools:
  - name: t1
    description: T.
    request: { method: GET, path: /b }
    auth: { type: api_key, credential: k, env: API_KEY }
`,
  });
  expect(loadToolsDir(dir, { env: {}, displayRoot: dir }).issues.map(formatIssue)).toEqual([
    'a.yaml:19 tools[0].auth.env: env is for stdio servers (command:); an HTTP backend gets its credential in a header or query',
    'a.yaml:4 servers[0].auth.env: env is for stdio servers (command:); a remote server gets its credential in a header or query',
    'a.yaml:7 servers[1].auth: a stdio server gets its credential in its environment: add env: NAME (e.g. env: GITHUB_TOKEN)',
    'a.yaml:10 servers[2].auth: basic auth cannot be given to a stdio server: store the secret as bearer or api_key and set env: NAME',
  ]);
});

test('a resource_prefix that is not a scheme start, or that two servers share, is reported with both entries', () => {
  const dir = toolsDir({
    'a.yaml': 'servers:\n  - name: docs\n    url: http://a/mcp\n    resource_prefix: docs\n',
    'b.yaml': `servers:
  - name: wiki
    url: http://b/mcp
    resource_prefix: docs
`,
    'c.yaml': 'servers:\n  - name: bad\n    url: http://c/mcp\n    resource_prefix: "a+b"\n',
  });
  const { issues, servers } = loadToolsDir(dir, { env: {}, displayRoot: dir });
  expect(issues.map(formatIssue)).toEqual([
    'c.yaml:4 servers[0].resource_prefix: expected 1-32 characters from a-z 0-9 . - (starting with a letter), the start of a URI scheme',
    'b.yaml:2 resource_prefix: server "wiki" uses the resource_prefix "docs" of server "docs" at a.yaml:2',
  ]);
  expect(servers.map((s) => [s.name, s.resourcePrefix])).toEqual([
    ['docs', 'docs'],
    ['wiki', 'docs'],
  ]);
});
