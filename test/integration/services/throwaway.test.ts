// When no PostgreSQL or Redis is configured or running, the test run starts throwaway ones from the
// installed binaries and removes them afterwards. The machine's own servers are never touched: the
// "usual addresses" here are free ports nobody listens on.
import { expect, test } from 'bun:test';
import { existsSync } from 'node:fs';
import { createApp } from '../../../src/app.ts';
import { resolveConfig } from '../../../src/config/config.ts';
import { silentLogger } from '../../../src/log.ts';
import { tempDir, toolsDir } from '../../helpers/files.ts';
import { findServices, freePorts, postgresAnswers, redisAnswers, startRedis } from '../../helpers/services.ts';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../../helpers/test-services.ts';

const closed = () => {
  const [pg, redis] = freePorts(2) as [number, number];
  return { databaseUrl: `postgres://postgres@127.0.0.1:${pg}/test`, redisUrl: `redis://127.0.0.1:${redis}` };
};

test('with nothing at the usual addresses, throwaway PostgreSQL and Redis start, serve a gateway, and are removed', async () => {
  const usual = closed();
  const found = await findServices({ env: {}, usual });
  try {
    expect(found.started.map((s) => s.kind).sort()).toEqual(['postgres', 'redis']);
    expect([found.databaseUrl === usual.databaseUrl, found.redisUrl === usual.redisUrl]).toEqual([false, false]);
    expect([await postgresAnswers(found.databaseUrl), await redisAnswers(found.redisUrl)]).toEqual([true, true]);
    const env = {
      DATABASE_URL: found.databaseUrl,
      REDIS_URL: found.redisUrl,
      NEXUS_MASTER_KEY: Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64'),
      NEXUS_DATA_DIR: tempDir(),
    };
    const app = await createApp({ config: resolveConfig({ port: '0', tools: toolsDir({}) }, env), log: silentLogger, env });
    const migrations = await app.services.db.query<{ name: string }>('SELECT name FROM nexus_migrations');
    await app.close();
    expect(migrations.length).toBeGreaterThan(0);
  } finally {
    await Promise.all(found.started.map((s) => s.stop()));
  }
  expect([await postgresAnswers(found.databaseUrl), await redisAnswers(found.redisUrl)]).toEqual([false, false]);
  expect(found.started.map((s) => existsSync(s.dir))).toEqual([false, false]);
}, 60_000);

test('NEXUS_TEST_DATABASE_URL and NEXUS_TEST_REDIS_URL are used as given, starting nothing', async () => {
  const found = await findServices({
    env: { NEXUS_TEST_DATABASE_URL: TEST_DATABASE_URL, NEXUS_TEST_REDIS_URL: TEST_REDIS_URL },
    usual: closed(),
  });
  expect(found).toEqual({ databaseUrl: TEST_DATABASE_URL, redisUrl: TEST_REDIS_URL, started: [] });
});

test('a configured service that does not answer fails at once, naming the variable', async () => {
  const dead = closed();
  await expect(findServices({ env: { NEXUS_TEST_DATABASE_URL: dead.databaseUrl }, usual: dead })).rejects.toThrow(
    `NEXUS_TEST_DATABASE_URL=${dead.databaseUrl.replace('postgres@', '***@')} does not answer`,
  );
});

test('a missing server binary is one line naming the Debian package', async () => {
  const nowhere = { path: '/nonexistent', pgRoot: '/nonexistent' };
  await expect(findServices({ env: {}, usual: closed(), ...nowhere })).rejects.toThrow(
    'PostgreSQL server binaries (initdb, postgres) not found: apt-get install postgresql',
  );
  await expect(startRedis(nowhere)).rejects.toThrow('redis-server not found: apt-get install redis-server');
});
