// `nexus vault ...` and `nexus migrate`, driven through run(io) on an embedded data dir.
import { afterAll, describe, expect, test } from 'bun:test';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from '../../../src/cli/command.ts';
import { migrateCommand } from '../../../src/cli/migrate.ts';
import { vaultCommands } from '../../../src/cli/vault.ts';
import { MIGRATIONS } from '../../../src/db/migrations.ts';
import { secretValue } from './fixture.ts';

const root = mkdtempSync(join(tmpdir(), 'nexus-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const byName = (n: string) => vaultCommands.find((c) => c.name === n)!;

async function run(cmd: Command, argv: string[], env: Record<string, string> = {}, stdin = '') {
  const out: string[] = [];
  const err: string[] = [];
  try {
    const code = await cmd.run({ argv, env, stdout: (t) => out.push(t), stderr: (t) => err.push(t), stdin: async () => stdin });
    return { code, out: out.join(''), err: err.join('') };
  } catch (e) {
    return { code: (e as { code?: string }).code, out: out.join(''), err: err.join('') };
  }
}

describe('vault CLI', () => {
  const dataDir = join(root, 'data');
  const env = { NEXUS_DATA_DIR: dataDir };
  const password = secretValue('pass');

  test('migrate creates the embedded database and a second run has nothing to do', async () => {
    expect(await run(migrateCommand, ['--data-dir', dataDir])).toEqual({
      code: 0,
      out: `applied ${MIGRATIONS.map((m) => m.name).join(', ')}\n`,
      err: '',
    });
    expect((await run(migrateCommand, [], env)).out).toBe('the database is up to date\n');
  });

  test('put reads the secret from stdin, infers its type, and generates a 0600 master key on first use', async () => {
    const r = await run(byName('vault put'), ['jira-bot'], env, JSON.stringify({ username: 'bot', password }));
    expect([r.code, r.out]).toEqual([0, 'stored credential "jira-bot" version 1 (basic)\n']);
    expect(JSON.parse(r.err)).toEqual(expect.objectContaining({ level: 'warn', path: join(dataDir, 'master.key') }));
    expect(statSync(join(dataDir, 'master.key')).mode & 0o777).toBe(0o600);
    const again = await run(
      byName('vault put'),
      ['jira-bot', '--for', 'key:alice', '--type', 'basic'],
      env,
      JSON.stringify({ username: 'a', password }),
    );
    expect([again.code, again.out, again.err]).toEqual([0, 'stored credential "jira-bot" for key:alice version 1 (basic)\n', '']);
  });

  test('put without inferable fields, with bad JSON, or without a name is INVALID_INPUT', async () => {
    const put = byName('vault put');
    expect((await run(put, ['x'], env, '{"client_id":"a"}')).code).toBe('INVALID_INPUT');
    expect((await run(put, ['x'], env, 'not json')).code).toBe('INVALID_INPUT');
    expect((await run(put, [], env, '{"token":"abcdefgh"}')).code).toBe('INVALID_INPUT');
    expect((await run(put, ['x', '--type', 'nope'], env, '{"token":"abcdefgh"}')).code).toBe('INVALID_INPUT');
  });

  test('list shows names, types, principals and versions, never values', async () => {
    const table = await run(byName('vault list'), [], env);
    expect(table.out.split('\n').map((l) => l.split(/\s+/).slice(0, 4))).toEqual([
      ['NAME', 'TYPE', 'PRINCIPAL', 'VERSION'],
      ['jira-bot', 'basic', '-', '1'],
      ['jira-bot', 'basic', 'key:alice', '1'],
      [''],
    ]);
    const json = await run(byName('vault list'), ['--json'], env);
    expect(JSON.parse(json.out)).toEqual([
      { name: 'jira-bot', type: 'basic', principal: null, version: 1, createdAt: expect.any(String), updatedAt: expect.any(String) },
      { name: 'jira-bot', type: 'basic', principal: 'key:alice', version: 1, createdAt: expect.any(String), updatedAt: expect.any(String) },
    ]);
    expect(table.out + json.out).not.toContain(password);
  });

  test('rotate-key reports the new KEK version', async () => {
    expect(await run(byName('vault rotate-key'), [], env)).toEqual({
      code: 0,
      out: 'key-encryption key is now version 2; 2 data keys re-wrapped\n',
      err: '',
    });
  });

  test('rotate-master replaces a generated key file; the old key no longer opens the vault', async () => {
    const oldKey = readFileSync(join(dataDir, 'master.key'), 'utf8').trim();
    const next = randomBytes(32).toString('base64');
    expect((await run(byName('vault rotate-master'), [], { ...env, NEXUS_NEW_MASTER_KEY: next })).code).toBe(0);
    expect(readFileSync(join(dataDir, 'master.key'), 'utf8').trim()).toBe(next);
    expect((await run(byName('vault list'), [], { ...env, NEXUS_MASTER_KEY: oldKey })).code).toBe('VAULT_ERROR');
    expect((await run(byName('vault list'), [], { ...env, NEXUS_MASTER_KEY: next })).code).toBe(0);
    expect((await run(byName('vault rotate-master'), [], env)).code).toBe('INVALID_INPUT');
  });

  test('delete removes exactly the named credential; deleting it again is NOT_FOUND', async () => {
    expect((await run(byName('vault delete'), ['jira-bot', '--for', 'key:alice'], env)).out).toBe(
      'deleted credential "jira-bot" for key:alice\n',
    );
    expect((await run(byName('vault delete'), ['jira-bot', '--for', 'key:alice'], env)).code).toBe('NOT_FOUND');
    expect((await run(byName('vault list'), ['--json'], env)).out).toContain('"principal": null');
  });

  test('a shared database without a master key is refused with INVALID_CONFIG', async () => {
    expect((await run(byName('vault list'), [], { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/x' })).code).toBe('INVALID_CONFIG');
  });

  test('argv that still starts with the command words is accepted', async () => {
    expect((await run(byName('vault list'), ['vault', 'list', '--json'], env)).code).toBe(0);
  });
});
