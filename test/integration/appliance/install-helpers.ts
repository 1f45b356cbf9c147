import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export const INSTALL_SH = join(import.meta.dir, '../../../install.sh');

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs install.sh under a minimal environment, so no NEXUS_* of the developer leaks in. */
export function runInstall(args: readonly string[], script = INSTALL_SH): RunResult {
  const r = Bun.spawnSync(['sh', script, ...args], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' },
    stdout: 'pipe',
    stderr: 'pipe',
  });
  return { code: r.exitCode ?? -1, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

/** Every file (and every empty directory, with a trailing slash) under root, with its octal mode. */
export function walkModes(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    const entries = readdirSync(dir, { withFileTypes: true });
    if (!entries.length && dir !== root) out[`${relative(root, dir)}/`] = (statSync(dir).mode & 0o777).toString(8);
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else out[relative(root, p)] = (statSync(p).mode & 0o777).toString(8);
    }
  };
  walk(root);
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

export const sha256Hex = (bytes: Uint8Array): string => new Bun.CryptoHasher('sha256').update(bytes).digest('hex');
