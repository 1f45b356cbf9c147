import { expect, test } from 'bun:test';
import { parseRedisUrl, redactRedisUrl } from '../../../src/db/redis.ts';
import type { NexusError } from '../../../src/errors.ts';

const pw = crypto.randomUUID();

test('every documented REDIS_URL form parses to its target', () => {
  expect(parseRedisUrl(`redis://:${pw}@cache.local:6380/2`)).toEqual({
    mode: 'server',
    tls: false,
    hosts: [{ host: 'cache.local', port: 6380 }],
    password: pw,
    db: 2,
  });
  expect(parseRedisUrl('rediss://ops@cache.local')).toEqual({
    mode: 'server',
    tls: true,
    hosts: [{ host: 'cache.local', port: 6379 }],
    username: 'ops',
  });
  expect(parseRedisUrl(`redis-sentinel://:${pw}@s1:26379,s2/mymaster/1`)).toEqual({
    mode: 'sentinel',
    tls: false,
    hosts: [
      { host: 's1', port: 26379 },
      { host: 's2', port: 26379 },
    ],
    password: pw,
    master: 'mymaster',
    db: 1,
  });
  expect(parseRedisUrl('redis-cluster://n1:7000,[::1]:7001')).toEqual({
    mode: 'cluster',
    tls: false,
    hosts: [
      { host: 'n1', port: 7000 },
      { host: '::1', port: 7001 },
    ],
  });
});

test('a malformed REDIS_URL is INVALID_CONFIG and its message hides the password', () => {
  for (const url of [
    `http://:${pw}@h:1`,
    `redis://:${pw}@a:1,b:2`,
    `redis-sentinel://:${pw}@h:1`,
    `redis://:${pw}@h:1/x`,
    `redis-cluster://:${pw}@h:1/0`,
  ]) {
    const err = (() => {
      try {
        parseRedisUrl(url);
      } catch (e) {
        return e as NexusError;
      }
    })();
    expect(err?.code).toBe('INVALID_CONFIG');
    expect(err?.message).not.toContain(pw);
  }
});

test('a logged Redis URL never shows the password', () => {
  expect(redactRedisUrl(`redis://user:${pw}@h:6379/0`)).toBe('redis://user:***@h:6379/0');
  expect(redactRedisUrl('redis://h:6379')).toBe('redis://h:6379');
});
