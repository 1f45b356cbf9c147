import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { RedisClient, RunScript } from '../../../src/db/redis.ts';
import { openScriptConnection, type ScriptConnection } from '../../../src/db/script-connection.ts';
import type { NexusError } from '../../../src/errors.ts';
import { createGuardedLimiter, LIMITER_UNAVAILABLE_METRIC } from '../../../src/limiter/guarded.ts';
import { createRedisLimiter } from '../../../src/limiter/redis.ts';
import type { Limiter } from '../../../src/limiter/types.ts';
import { silentLogger } from '../../../src/log.ts';
import { createMetrics } from '../../../src/metrics.ts';
import { until } from '../../unit/limiter/contract.ts';
import { connect, type RedisChild, startRedisChild } from './redis-fixture.ts';

const COMMAND_TIMEOUT = 100;
const once = { requests: 1, perMs: 60_000 };
let child: RedisChild;
let ioredis: RedisClient;
let scripts: ScriptConnection;
beforeAll(async () => {
  child = await startRedisChild();
  ioredis = await connect(child.url, COMMAND_TIMEOUT);
  scripts = openScriptConnection(child.url, { log: silentLogger, commandTimeoutMs: COMMAND_TIMEOUT, maxBackoffMs: 100 })!;
  await scripts.ready(3000);
});
afterAll(async () => {
  ioredis.disconnect();
  scripts.close();
  await child.stop();
});

/** Runs n calls one after another; each must settle within the command timeout plus scheduling slack. */
async function promptly<T>(n: number, call: () => Promise<T>): Promise<PromiseSettledResult<T>[]> {
  const out: PromiseSettledResult<T>[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    out.push(...(await Promise.allSettled([call()])));
    expect(performance.now() - started).toBeLessThan(COMMAND_TIMEOUT + 150);
  }
  return out;
}

/** True when the limiter refuses a second call on a fresh 1-per-minute key: Redis is back in charge. */
async function enforcing(limiter: Limiter, key: string): Promise<boolean> {
  await limiter.take(key, once);
  return !(await limiter.take(key, once)).allowed;
}

// the limiter runs over ioredis (Sentinel, Cluster) or over Bun's client (one server): both keep these promises
for (const [kind, redis] of [
  ['ioredis', () => ioredis],
  ['Bun client', () => scripts.run],
] as const satisfies readonly (readonly [string, () => RedisClient | RunScript])[]) {
  describe(kind, () => {
    test('with Redis killed, fail-open calls keep flowing without hanging, are counted, and limits return with Redis', async () => {
      const metrics = createMetrics();
      const limiter = createGuardedLimiter(createRedisLimiter(redis(), { prefix: 'o:' }), { mode: 'open', log: silentLogger, metrics });
      await until(() => enforcing(limiter, `before-${crypto.randomUUID()}`), 5000); // a previous test restarted Redis
      await child.stop();
      const results = await promptly(20, () => limiter.take('during', once));
      expect(results.every((r) => r.status === 'fulfilled' && r.value.allowed)).toBe(true);
      expect(metrics.render()).toContain(`${LIMITER_UNAVAILABLE_METRIC}{mode="open"}`);
      await child.start();
      await until(() => enforcing(limiter, `after-${crypto.randomUUID()}`), 5000);
    });

    test('with Redis frozen (connection open, no answers), fail-open calls still finish within the command timeout', async () => {
      const limiter = createGuardedLimiter(createRedisLimiter(redis(), { prefix: 'f:' }), { mode: 'open', log: silentLogger });
      await until(() => enforcing(limiter, `warm-${crypto.randomUUID()}`), 5000);
      child.freeze();
      try {
        const results = await promptly(5, () => limiter.take('during', once));
        expect(results.every((r) => r.status === 'fulfilled' && r.value.allowed)).toBe(true);
      } finally {
        child.thaw();
      }
      await until(() => enforcing(limiter, `after-${crypto.randomUUID()}`), 5000);
    });

    test('with Redis killed, fail-closed refuses calls promptly with UNAVAILABLE', async () => {
      const limiter = createGuardedLimiter(createRedisLimiter(redis(), { prefix: 'c:' }), { mode: 'closed', log: silentLogger });
      await until(() => enforcing(limiter, `warm-${crypto.randomUUID()}`), 5000);
      await child.stop();
      const results = await promptly(10, () => limiter.take('during', once));
      expect(results.map((r) => r.status === 'rejected' && (r.reason as NexusError).code)).toEqual(Array(10).fill('UNAVAILABLE'));
      await child.start();
    });
  });
}
