// `nexus doctor` against real stores: an embedded data dir, PostgreSQL + Redis, live and dead backends,
// right and wrong master keys. It reports one line per check and exits 1 on any FAIL.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CheckResult, type CheckStatus, diagnose, doctorCommand } from '../../../src/cli/doctor.ts';
import { startBackend } from '../../helpers/backend.ts';
import {
  type SharedScope,
  sharedScope,
  startGateway,
  TEST_DATABASE_URL,
  TEST_REDIS_URL,
  tempDir,
  toolsDir,
} from '../../helpers/gateway.ts';
import { deadPort, toolFile } from './fixture.ts';

const live = startBackend(() => new Response('nope', { status: 404 }));
const dead = `http://127.0.0.1:${deadPort()}`;
const tools = toolsDir({ 'live.yaml': toolFile('doctor_live', live.url), 'dead.yaml': toolFile('doctor_dead', dead) });
const liveOnly = toolsDir({ 'live.yaml': toolFile('doctor_live', live.url) });
const randomKey = () => randomBytes(32).toString('base64');

/** Every check ok, with one line per backend. */
const healthy = (...backends: string[]): Record<string, CheckStatus> => ({
  config: 'ok',
  tools: 'ok',
  store: 'ok',
  migrations: 'ok',
  'master key': 'ok',
  redis: 'ok',
  bind: 'ok',
  ...Object.fromEntries(backends.map((b) => [`backend ${b}`, 'ok'])),
});

/** check -> status. */
const summary = (results: CheckResult[]) => Object.fromEntries(results.map((r) => [r.check, r.status]));

async function runDoctor(argv: string[], env: Record<string, string>) {
  let out = '';
  const code = await doctorCommand.run({ argv, env, stdout: (t) => (out += t), stderr: (t) => (out += t), stdin: async () => '' });
  return { code, out };
}

/** A data dir that `nexus serve` has used once: migrated, master key generated, vault initialised. */
async function usedDataDir(): Promise<string> {
  const dataDir = tempDir('nexus-doctor-');
  const gw = await startGateway({ toolsDir: liveOnly, env: { NEXUS_DATA_DIR: dataDir } });
  await gw.stop();
  return dataDir;
}

let dataDir: string;
beforeAll(async () => {
  dataDir = await usedDataDir();
});
afterAll(() => live.stop());

describe('embedded mode', () => {
  test('a used data dir, a live backend and a dead port: every check ok except the dead backend, which FAILs with a fix', async () => {
    const results = await diagnose({ argv: ['--tools', tools, '--data-dir', dataDir], env: {} });
    expect(summary(results)).toEqual({ ...healthy(live.url), [`backend ${dead}`]: 'FAIL' });
    const deadLine = results.find((r) => r.check === `backend ${dead}`)!;
    expect({ fixNamesFile: deadLine.fix?.includes('dead.yaml'), refused: deadLine.detail.includes('connection refused') }).toEqual({
      fixNamesFile: true,
      refused: true,
    });
  });

  test('the command prints a fix line under each problem and exits 1 when a check FAILs, 0 when none does', async () => {
    const failing = await runDoctor(['--tools', tools, '--data-dir', dataDir], {});
    const passing = await runDoctor(['--tools', liveOnly, '--data-dir', dataDir], {});
    const lines = failing.out.split('\n');
    const deadAt = lines.findIndex((l) => l.startsWith('FAIL') && l.includes(dead));
    expect({
      failing: failing.code,
      fixUnderDead: lines[deadAt + 1]?.trimStart().startsWith('fix: '),
      tally: lines.at(-2),
      passing: passing.code,
    }).toEqual({ failing: 1, fixUnderDead: true, tally: '1 FAIL, 0 warn, 8 ok', passing: 0 });
  });

  test('a wrong master key FAILs without printing either key', async () => {
    const wrong = randomKey();
    const { code, out } = await runDoctor(['--tools', liveOnly, '--data-dir', dataDir], { NEXUS_MASTER_KEY: wrong });
    const real = readFileSync(join(dataDir, 'master.key'), 'utf8').trim();
    expect({
      code,
      line: out
        .split('\n')
        .find((l) => l.includes('master key'))
        ?.slice(0, 4),
      leaks: [wrong, real].filter((k) => out.includes(k)).length,
    }).toEqual({ code: 1, line: 'FAIL', leaks: 0 });
  });

  test('a fresh data dir is reported, not created: store and master key are warnings', async () => {
    const fresh = join(tempDir('nexus-doctor-'), 'not-yet');
    const results = await diagnose({ argv: ['--tools', liveOnly, '--data-dir', fresh], env: {} });
    expect({ checks: summary(results), created: existsSync(fresh) }).toEqual({
      checks: { config: 'ok', tools: 'ok', store: 'warn', 'master key': 'warn', redis: 'ok', [`backend ${live.url}`]: 'ok', bind: 'ok' },
      created: false,
    });
  });

  test('invalid settings and broken tool files FAIL with what to correct', async () => {
    const badConfig = await diagnose({ argv: ['--tools', liveOnly, '--port', 'eighty'], env: {} });
    const badTools = await diagnose({ argv: ['--tools', toolsDir({ 'x.yaml': 'tools: [{ name: x }]' }), '--data-dir', dataDir], env: {} });
    expect({
      config: summary(badConfig),
      tools: summary(badTools).tools,
      fix: badTools.find((r) => r.check === 'tools')?.fix?.includes('nexus check'),
    }).toEqual({ config: { config: 'FAIL' }, tools: 'FAIL', fix: true });
  });
});

describe('PostgreSQL + Redis mode', () => {
  let scope: SharedScope;
  beforeAll(async () => {
    scope = await sharedScope();
    const gw = await startGateway({ toolsDir: liveOnly, shared: scope });
    await gw.stop();
  });
  afterAll(async () => {
    await scope?.cleanup();
  });
  const shared = (env: Record<string, string>) =>
    diagnose(
      { argv: ['--tools', liveOnly], env: { DATABASE_URL: TEST_DATABASE_URL, REDIS_URL: TEST_REDIS_URL, ...env } },
      { dbSearchPath: scope.schema },
    );

  test('the shared store, its migrations, the master key and Redis all check ok', async () => {
    expect(summary(await shared({ NEXUS_MASTER_KEY: scope.masterKey }))).toEqual(healthy(live.url));
  });

  test('a missing or wrong master key FAILs', async () => {
    const missing = summary(await shared({}))['master key'];
    const wrong = summary(await shared({ NEXUS_MASTER_KEY: randomKey() }))['master key'];
    expect({ missing, wrong }).toEqual({ missing: 'FAIL', wrong: 'FAIL' });
  });

  test('an unreachable Redis FAILs, and its password never appears', async () => {
    const password = randomBytes(12).toString('hex');
    const results = await shared({ NEXUS_MASTER_KEY: scope.masterKey, REDIS_URL: `redis://:${password}@127.0.0.1:${deadPort()}` });
    const redis = results.find((r) => r.check === 'redis')!;
    expect({ status: redis.status, masked: redis.detail.includes(':***@'), leaks: JSON.stringify(results).includes(password) }).toEqual({
      status: 'FAIL',
      masked: true,
      leaks: false,
    });
  });
});
