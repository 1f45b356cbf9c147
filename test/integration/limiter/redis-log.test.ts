import { afterAll, expect, test } from 'bun:test';
import { openRedis, type RedisClient } from '../../../src/db/redis.ts';
import { createLogger } from '../../../src/log.ts';
import { until } from '../../unit/limiter/contract.ts';

let client: RedisClient | undefined;
afterAll(() => client?.disconnect());

test('a Redis that cannot be reached is logged once, naming it without its password, and a command fails at once', async () => {
  const password = crypto.randomUUID();
  const lines: string[] = [];
  const probe = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } });
  const port = probe.port;
  probe.stop(true);
  client = openRedis(`redis://:${password}@127.0.0.1:${port}/0`, { log: createLogger({ write: (l) => lines.push(l) }), maxBackoffMs: 20 });
  await until(() => lines.length > 0);
  const started = performance.now();
  expect(
    await client.get('x').then(
      () => 'answered',
      () => 'failed',
    ),
  ).toBe('failed');
  expect(performance.now() - started).toBeLessThan(100);
  expect(lines.length).toBe(1);
  expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'warn', msg: `redis redis://:***@127.0.0.1:${port}/0 unavailable` });
  expect(lines.join('\n')).not.toContain(password);
});
