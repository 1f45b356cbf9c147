// install.sh in a --prefix with a stub binary: layout, modes, idempotent upgrades, checksums, uninstall.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInstall, sha256Hex, walkModes } from './install-helpers.ts';

const ROOT = join(import.meta.dir, '../../..');
let work: string;
let release: string; // looks like dist/: nexus, tools/, schema/
const stub = (version: string) => `#!/bin/sh\necho "nexus ${version} (commit stub, built test)"\n`;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'nexus-install-'));
  release = join(work, 'release');
  mkdirSync(join(release, 'schema'), { recursive: true });
  writeFileSync(join(release, 'nexus'), stub('1.0.0'));
  chmodSync(join(release, 'nexus'), 0o755);
  cpSync(join(ROOT, 'tools'), join(release, 'tools'), { recursive: true });
  cpSync(join(ROOT, 'schema/tools.schema.json'), join(release, 'schema/tools.schema.json'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const freshPrefix = () => mkdtempSync(join(work, 'root-'));
const install = (prefix: string, ...more: string[]) =>
  runInstall(['--prefix', prefix, '--no-systemd', '--binary', join(release, 'nexus'), ...more]);

describe('install.sh --prefix DIR --no-systemd', () => {
  test('a first install lays out binary, config, master key, tools, data and unit with the right modes', () => {
    const prefix = freshPrefix();
    const r = install(prefix);
    const tools = ['crm.yaml', 'inventory.yaml', 'issue-tracker.yaml'].map((f) => [`etc/nexus/tools/${f}`, '644']);
    expect({ code: r.code, modes: walkModes(prefix) }).toEqual({
      code: 0,
      modes: Object.fromEntries([
        ['etc/nexus/master.key', '600'],
        ['etc/nexus/nexus.env', '640'],
        ['etc/nexus/schema/tools.schema.json', '644'],
        ...tools,
        ['etc/systemd/system/nexus.service', '644'],
        ['usr/local/bin/nexus', '755'],
        ['var/lib/nexus/', '750'],
      ]),
    });
    const key = Buffer.from(readFileSync(join(prefix, 'etc/nexus/master.key'), 'utf8').trim(), 'base64');
    expect(key.length).toBe(32);
    expect(r.stdout).toContain('Next step:');
  });

  test('a second run upgrades the binary and keeps the master key, env file and tools untouched', () => {
    const prefix = freshPrefix();
    expect(install(prefix).code).toBe(0);
    const keyPath = join(prefix, 'etc/nexus/master.key');
    const envPath = join(prefix, 'etc/nexus/nexus.env');
    const before = { key: readFileSync(keyPath, 'utf8'), keyMtime: statSync(keyPath).mtimeMs };
    writeFileSync(envPath, 'NEXUS_PORT=9999\n# edited by the operator\n');
    rmSync(join(prefix, 'etc/nexus/tools/crm.yaml'));

    const v2 = join(work, 'v2');
    mkdirSync(v2, { recursive: true });
    writeFileSync(join(v2, 'nexus'), stub('2.0.0'));
    const r = runInstall(['--prefix', prefix, '--no-systemd', '--binary', join(v2, 'nexus')]);

    expect({
      code: r.code,
      key: readFileSync(keyPath, 'utf8'),
      keyMtime: statSync(keyPath).mtimeMs,
      env: readFileSync(envPath, 'utf8'),
      crmBack: existsSync(join(prefix, 'etc/nexus/tools/crm.yaml')),
      binary: readFileSync(join(prefix, 'usr/local/bin/nexus'), 'utf8'),
      upgraded: r.stdout.includes('upgraded'),
    }).toEqual({
      code: 0,
      ...before,
      env: 'NEXUS_PORT=9999\n# edited by the operator\n',
      crmBack: false,
      binary: stub('2.0.0'),
      upgraded: true,
    });
  });

  test('a matching --sha256 or .sha256 file is verified and a mismatch installs nothing', () => {
    const hex = sha256Hex(readFileSync(join(release, 'nexus')));
    const good = install(freshPrefix(), '--sha256', hex.toUpperCase());
    const badPrefix = freshPrefix();
    const bad = install(badPrefix, '--sha256', '0'.repeat(64));

    const withFile = join(work, 'with-file');
    mkdirSync(withFile, { recursive: true });
    cpSync(join(release, 'nexus'), join(withFile, 'nexus'));
    writeFileSync(join(withFile, 'nexus.sha256'), `${'f'.repeat(64)}  nexus\n`);
    const badFile = runInstall(['--prefix', freshPrefix(), '--no-systemd', '--binary', join(withFile, 'nexus')]);

    expect({
      good: [good.code, good.stdout.includes(`verified sha256 ${hex}`)],
      bad: [bad.code, bad.stderr.includes('checksum mismatch'), walkModes(badPrefix)],
      badFile: [badFile.code, badFile.stderr.includes('checksum mismatch')],
    }).toEqual({ good: [0, true], bad: [1, true, {}], badFile: [1, true] });
  });

  test('--url downloads the binary and checks the URL.sha256 published beside it', () => {
    const served = join(work, 'served');
    mkdirSync(served, { recursive: true });
    cpSync(join(release, 'nexus'), join(served, 'nexus'));
    const hex = sha256Hex(readFileSync(join(served, 'nexus')));
    writeFileSync(join(served, 'nexus.sha256'), `${hex}  nexus\n`);
    const prefix = freshPrefix();
    const ok = runInstall(['--prefix', prefix, '--no-systemd', '--url', `file://${served}/nexus`]);
    writeFileSync(join(served, 'nexus.sha256'), `${'0'.repeat(64)}  nexus\n`);
    const tampered = runInstall(['--prefix', freshPrefix(), '--no-systemd', '--url', `file://${served}/nexus`]);
    expect({
      ok: [ok.code, ok.stdout.includes(`verified sha256 ${hex}`), existsSync(join(prefix, 'usr/local/bin/nexus'))],
      tampered: [tampered.code, tampered.stderr.includes('checksum mismatch')],
    }).toEqual({ ok: [0, true, true], tampered: [1, true] });
  });

  test('the unit file is hardened, reloads on SIGHUP and passes systemd-analyze verify where available', () => {
    const prefix = freshPrefix();
    install(prefix);
    const unitPath = join(prefix, 'etc/systemd/system/nexus.service');
    const unit = readFileSync(unitPath, 'utf8');
    const directives = [
      'NoNewPrivileges=yes',
      'ProtectSystem=strict',
      'ProtectHome=yes',
      'PrivateTmp=yes',
      `ReadWritePaths=${prefix}/var/lib/nexus`,
      `EnvironmentFile=${prefix}/etc/nexus/nexus.env`,
      'Environment=MIMALLOC_PURGE_DELAY=-1',
      'User=nexus',
      'Restart=on-failure',
      'ExecReload=/bin/kill -HUP $MAINPID',
      `ExecStart=${prefix}/usr/local/bin/nexus serve`,
    ];
    const lines = unit.split('\n');
    expect({
      missing: directives.filter((d) => !lines.includes(d)),
      ambient: unit.includes('AmbientCapabilities'),
    }).toEqual({ missing: [], ambient: false });

    if (Bun.which('systemd-analyze')) {
      const v = Bun.spawnSync(['systemd-analyze', 'verify', unitPath], { stdout: 'pipe', stderr: 'pipe' });
      expect({ code: v.exitCode, out: v.stderr.toString() + v.stdout.toString() }).toEqual({ code: 0, out: '' });
    }
  });

  test('a port below 1024 grants only CAP_NET_BIND_SERVICE', () => {
    const r = runInstall(['--print-unit', '--port', '443']);
    expect(r.stdout.split('\n').filter((l) => l.includes('Capabilit'))).toEqual([
      'CapabilityBoundingSet=CAP_NET_BIND_SERVICE',
      'AmbientCapabilities=CAP_NET_BIND_SERVICE',
    ]);
  });

  test('--uninstall removes binary and unit but keeps config, keys and data; --purge removes them', () => {
    const prefix = freshPrefix();
    install(prefix);
    writeFileSync(join(prefix, 'var/lib/nexus/vault.db'), 'data');
    const kept = runInstall(['--prefix', prefix, '--no-systemd', '--uninstall']);
    const files = () => Object.keys(walkModes(prefix)).filter((p) => !p.endsWith('/')); // empty parents stay
    const afterUninstall = files().filter((p) => !p.startsWith('etc/nexus/tools/') && !p.startsWith('etc/nexus/schema/'));
    const purged = runInstall(['--prefix', prefix, '--no-systemd', '--uninstall', '--purge']);
    expect({ codes: [kept.code, purged.code], afterUninstall, afterPurge: files() }).toEqual({
      codes: [0, 0],
      afterUninstall: ['etc/nexus/master.key', 'etc/nexus/nexus.env', 'var/lib/nexus/vault.db'],
      afterPurge: [],
    });
  });

  test('an unknown option and a missing binary are refused with exit 1', () => {
    const unknown = runInstall(['--frobnicate']);
    const missing = runInstall(['--prefix', freshPrefix(), '--no-systemd', '--binary', join(work, 'nope')]);
    expect([unknown.code, missing.code, missing.stderr.includes('no such file')]).toEqual([1, 1, true]);
  });
});

describe('install.sh as a file', () => {
  test('the deploy/ unit and env examples are exactly what install.sh writes by default', () => {
    expect({
      unit: runInstall(['--print-unit']).stdout,
      env: runInstall(['--print-env']).stdout,
    }).toEqual({
      unit: readFileSync(join(ROOT, 'deploy/nexus.service'), 'utf8'),
      env: readFileSync(join(ROOT, 'deploy/nexus.env.example'), 'utf8'),
    });
  });

  test('is POSIX sh that shellcheck finds clean, where shellcheck is installed', () => {
    if (!Bun.which('shellcheck')) return;
    const r = Bun.spawnSync(['shellcheck', '-s', 'sh', join(ROOT, 'install.sh')], { stdout: 'pipe', stderr: 'pipe' });
    expect({ code: r.exitCode, out: r.stdout.toString() }).toEqual({ code: 0, out: '' });
  });
});
