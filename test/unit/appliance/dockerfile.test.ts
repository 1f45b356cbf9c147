import { describe, expect, test } from 'bun:test';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validate } from 'dockerfile-utils';
import { parse } from 'yaml';
import pkg from '../../../package.json' with { type: 'json' };
import { copies, instructions } from './dockerfile-instructions.ts';

const ROOT = join(import.meta.dir, '../../..');
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const runtimeStage = () => {
  const all = instructions(dockerfile);
  const lastFrom = all.findLastIndex((i) => i.keyword === 'FROM');
  return all.slice(lastFrom);
};

describe('Dockerfile', () => {
  test('passes dockerfile-utils validation with no diagnostics', () => {
    expect(validate(dockerfile)).toEqual([]);
  });

  test('the linter does report a broken Dockerfile (so the check above means something)', () => {
    expect(validate('FROM\nEXPOSE port\n').length).toBeGreaterThan(0);
  });

  test('builds with the pinned Bun version and copies only files that exist in the repository', () => {
    const fromBuild = instructions(dockerfile).find((i) => i.keyword === 'FROM')?.args;
    const missing = copies(dockerfile)
      .filter((c) => !c.from)
      .flatMap((c) => c.sources)
      .filter((src) => !existsSync(join(ROOT, src)));
    expect({ fromBuild, missing }).toEqual({ fromBuild: `oven/bun:${pkg.dependencies.bun} AS build`, missing: [] });
  });

  test('.dockerignore excludes none of the files the build copies', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    const sources = copies(dockerfile)
      .filter((c) => !c.from)
      .flatMap((c) => c.sources);
    expect(sources.filter((s) => ignored.some((i) => s === i || s.startsWith(`${i}/`)))).toEqual([]);
  });

  test('the runtime stage runs the binary as a non-root user with a health check, volumes and port 8080', () => {
    const stage = runtimeStage();
    const arg = (k: string) => stage.filter((i) => i.keyword === k).map((i) => i.args);
    expect({
      user: arg('USER'),
      volume: arg('VOLUME'),
      expose: arg('EXPOSE'),
      healthcheck: arg('HEALTHCHECK').map((h) => h.endsWith('CMD ["/usr/local/bin/nexus", "healthcheck"]')),
      entrypoint: arg('ENTRYPOINT'),
      hostEnv: arg('ENV').some((e) => e.includes('NEXUS_HOST=0.0.0.0')),
    }).toEqual({
      user: ['65532:65532'],
      volume: ['["/etc/nexus", "/var/lib/nexus"]'],
      expose: ['8080'],
      healthcheck: [true],
      entrypoint: ['["/usr/local/bin/nexus"]'],
      hostEnv: true,
    });
  });
});

describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
    services: Record<string, { image?: string; build?: string; volumes?: string[]; environment?: Record<string, string> }>;
  };

  test('runs PostgreSQL, Redis and two Nexus instances sharing them behind a load balancer', () => {
    const s = compose.services;
    const shared = (name: string) => ({
      build: s[name]?.build,
      db: s[name]?.environment?.DATABASE_URL?.includes('@postgres:5432/'),
      redis: s[name]?.environment?.REDIS_URL,
    });
    expect({
      services: Object.keys(s).sort(),
      a: shared('nexus-a'),
      b: shared('nexus-b'),
      lb: s.lb?.volumes,
    }).toEqual({
      services: ['lb', 'migrate', 'nexus-a', 'nexus-b', 'postgres', 'redis'],
      a: { build: '.', db: true, redis: 'redis://redis:6379' },
      b: { build: '.', db: true, redis: 'redis://redis:6379' },
      lb: ['./deploy/nginx.conf:/etc/nginx/nginx.conf:ro'],
    });
  });

  test('the nginx config balances over both instances', () => {
    const conf = readFileSync(join(ROOT, 'deploy/nginx.conf'), 'utf8');
    expect(conf.match(/^\s*server nexus-[ab]:8080/gm)?.map((l) => l.trim())).toEqual(['server nexus-a:8080', 'server nexus-b:8080']);
  });
});
