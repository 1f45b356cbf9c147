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

  test('base images and the npm registry are build arguments defaulting to the pinned Bun and distroless', () => {
    const all = instructions(dockerfile);
    const args = Object.fromEntries(
      all
        .filter((i) => i.keyword === 'ARG' && i.args.includes('='))
        .map((i) => [i.args.slice(0, i.args.indexOf('=')), i.args.slice(i.args.indexOf('=') + 1)]),
    );
    expect({
      bun: args.BUN_IMAGE,
      runtime: args.RUNTIME_IMAGE,
      registry: args.NPM_REGISTRY,
      froms: all.filter((i) => i.keyword === 'FROM').map((i) => i.args),
    }).toEqual({
      bun: `oven/bun:${pkg.devDependencies.bun}`,
      runtime: 'gcr.io/distroless/cc-debian12:nonroot',
      registry: 'https://registry.npmjs.org/',
      froms: ['${BUN_IMAGE} AS build', '${RUNTIME_IMAGE}'],
    });
  });

  test('has no syntax directive, so an air-gapped BuildKit pulls no frontend image', () => {
    expect(dockerfile.split('\n').filter((l) => /^#\s*syntax\s*=/i.test(l))).toEqual([]);
  });

  test('the build stage installs production dependencies only (bun is a devDependency: no second Bun)', () => {
    const install = instructions(dockerfile).find((i) => i.keyword === 'RUN' && i.args.includes('bun install'))?.args ?? '';
    expect({
      production: install.includes('--production'),
      frozen: install.includes('--frozen-lockfile'),
      registry: install.includes('BUN_CONFIG_REGISTRY="${NPM_REGISTRY}"'),
      ca: install.includes('NODE_EXTRA_CA_CERTS'),
      bunIsDev: [Object.hasOwn(pkg.dependencies, 'bun'), Object.hasOwn(pkg.devDependencies, 'bun')],
    }).toEqual({ production: true, frozen: true, registry: true, ca: true, bunIsDev: [false, true] });
  });

  test('copies only files that exist in the repository', () => {
    const missing = copies(dockerfile)
      .filter((c) => !c.from)
      .flatMap((c) => c.sources)
      .filter((src) => !existsSync(join(ROOT, src)));
    expect(missing).toEqual([]);
  });

  test('only the data directory is given to the runtime user; the rest of the image stays root-owned', () => {
    const stage = runtimeStage();
    const fromBuild = stage.filter((i) => i.keyword === 'COPY').map((i) => i.args);
    expect(fromBuild).toEqual([
      '--from=build /app/dist/nexus /usr/local/bin/nexus',
      '--from=build /rootfs/etc/nexus/ /etc/nexus/',
      '--from=build --chown=65532:65532 /rootfs/var/lib/ /var/lib/',
    ]);
    const build = instructions(dockerfile).find((i) => i.keyword === 'RUN' && i.args.includes('scripts/build.ts'))?.args ?? '';
    expect(build).toContain('mkdir -p /rootfs/etc/nexus /rootfs/var/lib/nexus');
    expect(build).toContain('chmod 0700 /rootfs/var/lib/nexus');
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
      volume: ['["/var/lib/nexus"]'],
      expose: ['8080'],
      healthcheck: [true],
      entrypoint: ['["/usr/local/bin/nexus"]'],
      hostEnv: true,
    });
  });
});

describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
    services: Record<
      string,
      { image?: string; build?: string; volumes?: string[]; environment?: Record<string, string>; profiles?: string[] }
    >;
  } & Record<string, unknown>;
  const text = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');

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
      services: ['lb', 'nexus-a', 'nexus-b', 'postgres', 'redis'],
      a: { build: '.', db: true, redis: 'redis://redis:6379' },
      b: { build: '.', db: true, redis: 'redis://redis:6379' },
      lb: ['./deploy/nginx.conf.template:/etc/nginx/templates/default.conf.template:ro'],
    });
  });

  test('uses nothing Compose v1 or podman-compose reject or silently drop: no name:, no profiles', () => {
    expect({
      topLevel: Object.keys(compose).sort(),
      profiles: Object.values(compose.services).filter((svc) => svc.profiles),
    }).toEqual({ topLevel: ['services', 'volumes', 'x-nexus'], profiles: [] });
  });

  test('every image is a variable with the public image as default (mirrors, air-gapped sites)', () => {
    expect(Object.fromEntries(Object.entries(compose.services).map(([k, v]) => [k, v.image]))).toEqual({
      postgres: '${POSTGRES_IMAGE:-postgres:16-alpine}',
      redis: '${REDIS_IMAGE:-redis:7-alpine}',
      'nexus-a': '${NEXUS_IMAGE:-nexus:local}',
      'nexus-b': '${NEXUS_IMAGE:-nexus:local}',
      lb: '${NGINX_IMAGE:-nginx:1.27-alpine}',
    });
    expect(text).not.toMatch(/^name:/m);
  });

  test('nginx balances over both instances and resolves their names through the network DNS', () => {
    const conf = readFileSync(join(ROOT, 'deploy/nginx.conf.template'), 'utf8');
    expect({
      servers: conf.match(/^\s*server nexus-[ab]:8080.*$/gm)?.map((l) => l.trim()),
      resolver: conf.match(/^\s*resolver .*$/m)?.[0].trim(),
      zone: /^\s*zone nexus /m.test(conf),
      lbEnv: compose.services.lb?.environment,
    }).toEqual({
      servers: [
        'server nexus-a:8080 max_fails=3 fail_timeout=10s ${NGINX_UPSTREAM_RESOLVE};',
        'server nexus-b:8080 max_fails=3 fail_timeout=10s ${NGINX_UPSTREAM_RESOLVE};',
      ],
      resolver: 'resolver ${NGINX_LOCAL_RESOLVERS} valid=10s ipv6=off;',
      zone: true,
      lbEnv: { NGINX_ENTRYPOINT_LOCAL_RESOLVERS: '1', NGINX_UPSTREAM_RESOLVE: '${NGINX_UPSTREAM_RESOLVE-resolve}' },
    });
  });
});
