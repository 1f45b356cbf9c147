import { expect, test } from 'bun:test';
import { cacheKey, toolOfKey } from '../../../src/cache/key.ts';
import type { NexusError } from '../../../src/errors.ts';

test('a cache key is the tool and one digest of the arguments and the credential identity', () => {
  const key = cacheKey('jira.get', { id: 'T-1', fields: ['a'] }, 'jira@3:key:alice');
  expect(key).toMatch(/^jira\.get:[0-9a-f]{64}$/);
  expect(toolOfKey(key)).toBe('jira.get');
});

test('argument key order does not matter; argument values and credential identity do', () => {
  const base = cacheKey('t', { a: 1, b: 2 }, 'c@1');
  expect(cacheKey('t', { b: 2, a: 1 }, 'c@1')).toBe(base);
  expect(
    new Set([base, cacheKey('t', { a: 1, b: 3 }, 'c@1'), cacheKey('t', { a: 1, b: 2 }, 'c@2'), cacheKey('u', { a: 1, b: 2 }, 'c@1')]).size,
  ).toBe(4);
});

test('no argument value appears in the key', () => {
  const secretish = crypto.randomUUID();
  expect(cacheKey('t', { q: secretish }, secretish)).not.toContain(secretish);
});

test('a tool name that would break the key layout is refused', () => {
  for (const bad of ['a:b', 'a{b}', '', 'a b'])
    expect(
      (() => {
        try {
          cacheKey(bad, {}, 'x');
        } catch (e) {
          return e as NexusError;
        }
      })()?.code,
    ).toBe('INVALID_INPUT');
});
