// `nexus check` against a real store: a tool whose credential is missing or of the wrong type is an
// issue; a store it cannot open is a warning, not a failure; no master key is needed.
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { runCli } from '../../../src/cli/index.ts';
import { describeUrl } from '../../../src/db/postgres.ts';
import { masterKeyFile } from '../../../src/vault/master-key.ts';
import { type SharedScope, sharedScope, TEST_DATABASE_URL, tempDir, toolsDir } from '../../helpers/gateway.ts';
import { canary, openStore, tool, toolFile } from './fixtures.ts';

const TOOLS = toolFile('http://backend.local', [
  tool('jira_get', '/issue', '{ type: basic, credential: jira-bot }'),
  tool('gh_repo', '/repo', '{ type: basic, credential: gh-token }'),
  tool('crm_me', '/me', '{ type: bearer, credential: crm-user }'),
  tool('status', '/status'),
  tool('maps', '/maps', '{ type: api_key, credential: maps-key, query: key }'),
]);

async function nexus(argv: string[], env: Record<string, string> = {}, stdin = '') {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { env, stdout: (t) => out.push(t), stderr: (t) => err.push(t), stdin: async () => stdin });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

const dir = toolsDir({ 'tools.yaml': TOOLS });
const dataDir = tempDir('nexus-data-');
const vaultFile = join(dataDir, 'nexus.db');
let scope: SharedScope | undefined;
let masterKey = '';

beforeAll(async () => {
  const put = (name: string, secret: object, ...flags: string[]) =>
    nexus(['vault', 'put', name, '--data-dir', dataDir, ...flags], {}, JSON.stringify(secret)).then((r) => expect(r.code).toBe(0));
  await put('jira-bot', { username: 'bot', password: canary() });
  await put('gh-token', { token: canary() });
  await put('crm-user', { token: canary() }, '--for', 'key:alice'); // only a per-principal version
  masterKey = readFileSync(masterKeyFile(dataDir), 'utf8').trim();
  rmSync(masterKeyFile(dataDir)); // a CI box checking tool files has no master key
});
afterAll(() => scope?.cleanup());

test('a missing credential and one of the wrong type are listed at their tools and fail the check', async () => {
  const file = relative(process.cwd(), join(dir, 'tools.yaml')); // as `nexus check` prints it
  expect(await nexus(['check', '--tools', dir, '--data-dir', dataDir])).toEqual({
    code: 1,
    stdout: '',
    stderr: [
      `${file}:7 tools[1].auth.credential: credential "gh-token" is a bearer credential, the tool needs basic`,
      `${file}:18 tools[4].auth.credential: credential "maps-key" is not in the vault`,
      '',
      `2 issue(s) in ${dir}`,
      '',
    ].join('\n'),
  });
});

test('once every credential is stored with the right type the check passes and says where it looked', async () => {
  const r = await nexus(
    ['vault', 'put', 'maps-key', '--data-dir', dataDir],
    { NEXUS_MASTER_KEY: masterKey },
    JSON.stringify({ key: canary() }),
  );
  expect(r.stderr).toBe('');
  const fixed = toolsDir({
    'tools.yaml': TOOLS.replace('{ type: basic, credential: gh-token }', '{ type: bearer, credential: gh-token }'),
  });
  expect(await nexus(['check', '--tools', fixed, '--data-dir', dataDir])).toEqual({
    code: 0,
    stdout: `ok: 5 tool(s) in 1 file(s) under ${fixed}; 4 credential(s) checked in ${vaultFile}\ntools/list sizes: /mcp: 5 tool(s), 463 B (~116 tokens)\n`,
    stderr: '',
  });
});

test('without a data dir the credentials are not checked, with a warning, and nothing is created', async () => {
  const missing = join(tempDir('nexus-none-'), 'data');
  const r = await nexus(['check', '--tools', dir], { NEXUS_DATA_DIR: missing });
  expect(r).toEqual({
    code: 0,
    stdout: `ok: 5 tool(s) in 1 file(s) under ${dir}\ntools/list sizes: /mcp: 5 tool(s), 463 B (~116 tokens)\n`,
    stderr: `credentials not checked: no vault at ${join(missing, 'nexus.db')} (set --data-dir or DATABASE_URL)\n`,
  });
  expect(existsSync(missing)).toBe(false);
});

test('an unreachable database is a warning naming it without its password', async () => {
  const r = await nexus(['check', '--tools', dir], { DATABASE_URL: `postgres://nexus:${canary()}@127.0.0.1:1/nexus` });
  expect(r).toEqual({
    code: 0,
    stdout: `ok: 5 tool(s) in 1 file(s) under ${dir}\ntools/list sizes: /mcp: 5 tool(s), 463 B (~116 tokens)\n`,
    stderr: 'credentials not checked: cannot connect to PostgreSQL at 127.0.0.1:1/nexus\n',
  });
});

test('a PostgreSQL schema without the vault tables is a warning, and check does not migrate it', async () => {
  scope = await sharedScope();
  const r = await nexus(['check', '--tools', dir], { DATABASE_URL: `${TEST_DATABASE_URL}?search_path=${scope.schema}` });
  expect(r).toEqual({
    code: 0,
    stdout: `ok: 5 tool(s) in 1 file(s) under ${dir}\ntools/list sizes: /mcp: 5 tool(s), 463 B (~116 tokens)\n`,
    stderr: `credentials not checked: the store at ${describeUrl(TEST_DATABASE_URL)} has no vault tables (run nexus migrate)\n`,
  });
  const db = await openStore('shared', dataDir, scope);
  expect(await db.query('SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()')).toEqual([]);
  await db.close();
});

test('--no-credentials checks the tool files only', async () => {
  expect(await nexus(['check', '--tools', dir, '--data-dir', dataDir, '--no-credentials'])).toEqual({
    code: 0,
    stdout: `ok: 5 tool(s) in 1 file(s) under ${dir}\ntools/list sizes: /mcp: 5 tool(s), 463 B (~116 tokens)\n`,
    stderr: '',
  });
});
