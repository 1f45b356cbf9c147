// `DELETE /admin/cache[/:tool]` and `nexus cache clear [TOOL]` invalidate cached answers: after a clear,
// the next call goes to the backend, on every instance.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { randomBytes } from 'node:crypto';
import { runCli } from '../../../src/cli/index.ts';
import { type SharedScope, sharedScope, type TestGateway } from '../../helpers/gateway.ts';
import { type RedisChild, startRedisChild } from '../limiter/redis-fixture.ts';
import { crmTools, rest, slowBackend, startReady } from './fixture.ts';

const backend = slowBackend();
const dir = crmTools(backend.url);
const adminToken = randomBytes(24).toString('hex');

/** Where the answer to get_contact(id) came from, asked over REST. */
const source = async (gw: TestGateway, id: string) => (await rest(gw, 'get_contact', { id })).source;

async function clearCache(gw: TestGateway, tool = '', token = adminToken) {
  const res = await fetch(`${gw.url}/admin/cache${tool && `/${tool}`}`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: res.status, body: (await res.json()) as unknown };
}

/** `nexus cache clear ...argv` in process, with exactly `env`; its exit code and output. */
async function cli(argv: string[], env: Record<string, string>) {
  let out = '';
  let err = '';
  const code = await runCli(['cache', 'clear', ...argv], {
    env,
    stdout: (t) => void (out += t),
    stderr: (t) => void (err += t),
    stdin: async () => '',
  });
  return { code, out, err };
}

afterAll(() => backend.stop());

describe('two instances sharing PostgreSQL and Redis', () => {
  let scope: SharedScope;
  let a: TestGateway;
  let b: TestGateway;
  beforeAll(async () => {
    scope = await sharedScope();
    const opts = { toolsDir: dir, shared: scope, env: { NEXUS_ADMIN_TOKEN: adminToken } };
    [a, b] = await Promise.all([startReady(opts), startReady(opts)]);
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await scope?.cleanup();
  });

  test('DELETE /admin/cache/:tool on one instance makes the next call on the other go to the backend', async () => {
    expect([await source(a, 'S-1'), await source(b, 'S-1')]).toEqual(['backend', 'cache']);
    expect(await clearCache(b, 'get_contact')).toEqual({ status: 200, body: { tool: 'get_contact', cleared: 1 } });
    expect([await source(a, 'S-1'), await source(b, 'S-1')]).toEqual(['backend', 'cache']);
    expect(backend.hits('/crm/contacts/S-1')).toBe(2);
  });

  test('DELETE /admin/cache clears every tool, and without the admin token nothing is cleared', async () => {
    await source(a, 'S-2');
    expect((await clearCache(a, '', 'wrong-token')).status).toBe(401);
    expect(await source(b, 'S-2')).toBe('cache');
    expect(await clearCache(a)).toEqual({ status: 200, body: { cleared: 2 } });
    expect(await source(b, 'S-2')).toBe('backend');
  });
});

describe('nexus cache clear', () => {
  let redis: RedisChild;
  let viaRedis: TestGateway;
  let embedded: TestGateway;
  beforeAll(async () => {
    redis = await startRedisChild(); // its own server: the CLI writes under the production key prefix
    [viaRedis, embedded] = await Promise.all([
      startReady({ toolsDir: dir, env: { REDIS_URL: redis.url } }),
      startReady({ toolsDir: dir, env: { NEXUS_ADMIN_TOKEN: adminToken } }),
    ]);
  });
  afterAll(async () => {
    await viaRedis?.stop();
    await embedded?.stop();
    await redis?.stop();
  });

  test('with REDIS_URL it clears one tool in Redis directly and the next call goes to the backend', async () => {
    expect([await source(viaRedis, 'R-1'), await source(viaRedis, 'R-1')]).toEqual(['backend', 'cache']);
    expect(await cli(['get_contact'], { REDIS_URL: redis.url })).toEqual({
      code: 0,
      out: 'cleared 1 cached answer(s) of get_contact\n',
      err: '',
    });
    expect(await source(viaRedis, 'R-1')).toBe('backend');
  });

  test('without REDIS_URL it clears an embedded gateway through its admin API', async () => {
    expect([await source(embedded, 'M-1'), await source(embedded, 'M-1')]).toEqual(['backend', 'cache']);
    const env = { NEXUS_ADMIN_TOKEN: adminToken };
    expect(await cli(['--url', embedded.url], env)).toEqual({ code: 0, out: 'cleared 1 cached answer(s)\n', err: '' });
    expect(await source(embedded, 'M-1')).toBe('backend');
  });
});
