import { expect, test } from 'bun:test';
import { healthzUrl } from '../../../src/cli/healthcheck.ts';

test('the health URL maps wildcard binds to loopback and keeps explicit hosts, ports and --url', () => {
  expect([
    healthzUrl([], {}),
    healthzUrl([], { NEXUS_HOST: '0.0.0.0', NEXUS_PORT: '9000' }),
    healthzUrl([], { NEXUS_HOST: '::1' }),
    healthzUrl([], { NEXUS_HOST: '10.0.0.5', NEXUS_PORT: '81' }),
    healthzUrl(['--url', 'http://x:1/healthz'], { NEXUS_PORT: '9' }),
  ]).toEqual([
    'http://127.0.0.1:8080/healthz',
    'http://127.0.0.1:9000/healthz',
    'http://[::1]:8080/healthz',
    'http://10.0.0.5:81/healthz',
    'http://x:1/healthz',
  ]);
});
