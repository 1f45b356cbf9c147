import { expect, test } from 'bun:test';
import { ANONYMOUS, type Caller } from '../../../src/caller.ts';
import type { NexusError } from '../../../src/errors.ts';
import { createMemoryLimiter } from '../../../src/limiter/memory.ts';
import { createCallLimits, limitChecks, parseLimitRule } from '../../../src/limiter/policy.ts';
import { rateLimitedError } from '../../../src/limiter/refusal.ts';
import { createMetrics } from '../../../src/metrics.ts';

test('a refusal says which limit, the rule and when to retry', () => {
  const check = { name: 'tool:jira.get', key: 'tool:jira.get:anonymous', rule: { requests: 5, perMs: 60_000 } };
  const err = rateLimitedError(check, { allowed: false, remaining: 0, retryAfterMs: 11_200, limit: 5 });
  expect([err.code, err.httpStatus, err.message, err.details]).toEqual([
    'RATE_LIMITED',
    429,
    'rate limit "tool:jira.get" exceeded: 5 requests per 1m; retry after 12s',
    { limit: 'tool:jira.get', retryAfter: 12 },
  ]);
});

test('a wait under a second still says to retry after 1s', () => {
  const check = { name: 'caller', key: 'c', rule: { requests: 10, perMs: 1000 } };
  expect(rateLimitedError(check, { allowed: false, remaining: 0, retryAfterMs: 80, limit: 10 }).details).toEqual({
    limit: 'caller',
    retryAfter: 1,
  });
});

test('gateway limits are written like 600/1m', () => {
  expect([parseLimitRule('600/1m'), parseLimitRule(' 5 / 30s '), parseLimitRule('0/1m'), parseLimitRule('5 per minute')]).toEqual([
    { requests: 600, perMs: 60_000 },
    { requests: 5, perMs: 30_000 },
    undefined,
    undefined,
  ]);
});

const tool = {
  name: 'jira.get',
  rateLimit: { requests: 2, perMs: 60_000 },
  backend: { id: 'https://jira.test', rateLimit: { requests: 100, perMs: 60_000 } },
};
const alice: Caller = { id: 'key:alice', kind: 'key', name: 'alice', tools: ['*'], session: 's1' };

test('a call meets the tool, backend, caller and session limits, the session one keyed by caller', () => {
  const gateway = { caller: { requests: 600, perMs: 60_000 }, session: { requests: 120, perMs: 60_000 } };
  expect(limitChecks(tool, alice, gateway).map((c) => [c.name, c.key])).toEqual([
    ['tool:jira.get', 'tool:jira.get:key:alice'],
    ['backend:https://jira.test', 'backend:https://jira.test'],
    ['caller', 'caller:key:alice'],
    ['session', 'session:key:alice:s1'],
  ]);
  expect(limitChecks({ name: 't', backend: { id: 'b' } }, ANONYMOUS, gateway).map((c) => c.name)).toEqual(['caller']);
});

test('the pipeline hook returns the limits checked and throws RATE_LIMITED past the tool limit', async () => {
  const limits = createCallLimits(createMemoryLimiter());
  expect(await limits(tool, alice)).toBe('tool:jira.get,backend:https://jira.test');
  await limits(tool, alice);
  const err = (await limits(tool, alice).catch((e) => e)) as NexusError;
  expect([err.code, err.details?.limit]).toEqual(['RATE_LIMITED', 'tool:jira.get']);
  expect(await limits({ name: 'free', backend: { id: 'b' } }, alice)).toBeUndefined();
});

test('every limited call is counted as allowed, or refused by the limit that refused it', async () => {
  const metrics = createMetrics();
  const limits = createCallLimits(createMemoryLimiter(), {}, metrics);
  await limits(tool, alice);
  await limits(tool, alice);
  await limits(tool, alice).catch(() => {});
  await limits({ name: 'free', backend: { id: 'b' } }, alice);
  const text = metrics.render();
  expect(text).toContain('nexus_rate_limit_decisions_total{decision="allowed"} 2');
  expect(text).toContain('nexus_rate_limit_decisions_total{decision="refused",limit="tool:jira.get"} 1');
});
