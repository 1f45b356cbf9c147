// The compiled executable: built once, copied alone into empty directories, run with an empty environment.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOCS_ASSETS } from '../../../src/http/docs-assets.ts';
import { copies } from '../../unit/appliance/dockerfile-instructions.ts';
import { runInstall, sha256Hex } from './install-helpers.ts';
import { buildRelease, compile, ROOT, waitForOutput } from './release.ts';

let release: string;
const scratch: string[] = [];
const emptyDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'nexus-empty-'));
  scratch.push(d);
  return d;
};
/** The binary alone in a fresh empty directory. */
const aloneCopy = (from: string) => {
  const dir = emptyDir();
  cpSync(from, join(dir, 'nexus'));
  return dir;
};

beforeAll(async () => {
  release = await buildRelease();
}, 120_000);
afterAll(() => {
  for (const d of [release, ...scratch]) if (d) rmSync(d, { recursive: true, force: true });
});

describe('bun run build', () => {
  test('writes the binary, its sha256, install.sh, example tools and the JSON Schema', () => {
    const bin = readFileSync(join(release, 'nexus'));
    expect({
      sha: readFileSync(join(release, 'nexus.sha256'), 'utf8'),
      install: readFileSync(join(release, 'install.sh'), 'utf8') === readFileSync(join(ROOT, 'install.sh'), 'utf8'),
      schema: existsSync(join(release, 'schema/tools.schema.json')),
      tools: existsSync(join(release, 'tools/crm.yaml')),
    }).toEqual({ sha: `${sha256Hex(bin)}  nexus\n`, install: true, schema: true, tools: true });
  });

  test('every build-stage file the Dockerfile copies into the runtime image exists after the build', () => {
    const fromBuild = copies(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'))
      .filter((c) => c.from === 'build')
      .flatMap((c) => c.sources)
      .filter((s) => s.startsWith('/app/dist/'));
    expect(fromBuild.length).toBeGreaterThan(0);
    expect(fromBuild.filter((s) => !existsSync(join(release, s.slice('/app/dist/'.length))))).toEqual([]);
  });

  test('`nexus version` runs from an empty directory with an empty environment and names version, commit and date', async () => {
    const dir = aloneCopy(join(release, 'nexus'));
    const p = Bun.spawn(['./nexus', 'version'], { cwd: dir, env: {}, stdout: 'pipe', stderr: 'pipe' });
    const [out, code] = await Promise.all([new Response(p.stdout).text(), p.exited]);
    expect({ code, line: /^nexus \d+\.\d+\.\d+ \(commit [\w-]+, built \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\)\n$/.test(out) }).toEqual({
      code: 0,
      line: true,
    });
  });
});

describe('embedded Swagger UI', () => {
  test('a compiled executable serves every docs asset byte for byte with no node_modules around it', async () => {
    const dir = emptyDir();
    await compile(join(import.meta.dir, 'fixtures/docs-server.ts'), join(dir, 'docs-server'));
    const p = Bun.spawn(['./docs-server'], { cwd: dir, env: {}, stdout: 'pipe', stderr: 'inherit' });
    try {
      const [, port] = await waitForOutput(p.stdout, /listening (\d+)/);
      const base = `http://127.0.0.1:${port}`;
      const page = await fetch(`${base}/docs`);
      const served: Record<string, boolean> = {};
      for (const asset of DOCS_ASSETS) {
        const res = await fetch(`${base}/docs/assets/${asset.name}`);
        const body = new Uint8Array(await res.arrayBuffer());
        served[asset.name] = res.status === 200 && Buffer.from(body).equals(Buffer.from(await asset.load()));
      }
      expect({ page: page.status, served }).toEqual({
        page: 200,
        served: Object.fromEntries(DOCS_ASSETS.map((a) => [a.name, true])),
      });
    } finally {
      p.kill('SIGTERM');
      await p.exited;
    }
  }, 60_000);
});

describe('the release binary', () => {
  test('alone in an empty directory with `env -i`, `serve --port 0` serves tools, /healthz, /docs and /metrics and exits 0 on SIGTERM', async () => {
    const dir = aloneCopy(join(release, 'nexus'));
    const p = Bun.spawn(['./nexus', 'serve', '--port', '0'], { cwd: dir, env: {}, stdout: 'pipe', stderr: 'pipe' });
    try {
      const [, url] = await waitForOutput(p.stderr, /"url":"(http:\/\/[^"]+?)\/mcp"/);
      const health = await fetch(`${url}/healthz`);
      const docs = await fetch(`${url}/docs`);
      const html = await docs.text();
      const metrics = await fetch(`${url}/metrics`);
      const openapi = (await (await fetch(`${url}/openapi.json`)).json()) as { paths?: Record<string, unknown> };
      expect({
        health: health.status,
        docs: docs.status,
        swagger: html.includes('/docs/assets/swagger-ui-bundle.js'),
        metrics: [metrics.status, metrics.headers.get('content-type')?.startsWith('text/plain')],
        tools: Object.keys(openapi.paths ?? {}).some((p) => p.startsWith('/api/tools/')),
      }).toEqual({ health: 200, docs: 200, swagger: true, metrics: [200, true], tools: true });
    } finally {
      p.kill('SIGTERM');
    }
    expect(await p.exited).toBe(0);
  }, 60_000);

  test('install.sh from the release dir installs the binary beside it, verifying its .sha256', () => {
    const prefix = emptyDir();
    const r = runInstall(['--prefix', prefix, '--no-systemd'], join(release, 'install.sh'));
    const installed = readFileSync(join(prefix, 'usr/local/bin/nexus'));
    expect({
      code: r.code,
      verified: r.stdout.includes(`verified sha256 ${sha256Hex(installed)}`),
      tools: existsSync(join(prefix, 'etc/nexus/tools/crm.yaml')),
    }).toEqual({ code: 0, verified: true, tools: true });
  });
});
