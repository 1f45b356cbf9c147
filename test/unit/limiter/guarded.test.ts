import { expect, test } from 'bun:test';
import { NexusError } from '../../../src/errors.ts';
import { createGuardedLimiter, LIMITER_UNAVAILABLE_METRIC } from '../../../src/limiter/guarded.ts';
import type { Limiter } from '../../../src/limiter/types.ts';
import { createLogger } from '../../../src/log.ts';
import { createMetrics } from '../../../src/metrics.ts';

const broken: Limiter = {
  take: () => Promise.reject(new Error('Connection is closed.')),
  checkAll: () => Promise.reject(new Error('Connection is closed.')),
};
const rule = { requests: 5, perMs: 60_000 };

function collect() {
  const lines: Record<string, unknown>[] = [];
  return { lines, log: createLogger({ write: (l) => lines.push(JSON.parse(l)) }) };
}

test('fail-open lets calls through while the limiter is down, logging once and counting each', async () => {
  const { lines, log } = collect();
  const metrics = createMetrics();
  const guarded = createGuardedLimiter(broken, { mode: 'open', log, metrics });
  for (let i = 0; i < 3; i++) expect(await guarded.take('k', rule)).toEqual({ allowed: true, remaining: 5, retryAfterMs: 0, limit: 5 });
  expect(lines.map((l) => [l.level, l.msg])).toEqual([['warn', 'rate limiter (fail-open) unavailable']]);
  expect(metrics.render()).toContain(`${LIMITER_UNAVAILABLE_METRIC}{mode="open"} 3`);
});

test('fail-closed refuses calls with UNAVAILABLE while the limiter is down', async () => {
  const guarded = createGuardedLimiter(broken, { mode: 'closed', log: collect().log });
  const err = (await guarded.checkAll([{ name: 'tool', key: 'k', rule }]).catch((e) => e)) as NexusError;
  expect([err.code, err.message]).toEqual(['UNAVAILABLE', 'rate limiter unavailable']);
});

test('errors the limiter raises on purpose pass through the guard', async () => {
  const invalid: Limiter = { ...broken, checkAll: () => Promise.reject(new NexusError('INVALID_INPUT', 'bad rule')) };
  const guarded = createGuardedLimiter(invalid, { mode: 'open', log: collect().log });
  expect(((await guarded.take('k', rule).catch((e) => e)) as NexusError).code).toBe('INVALID_INPUT');
});
