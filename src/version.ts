// Build identity. `scripts/build.ts` fills the NEXUS_BUILD_* constants via `bun build --define`;
// from a checkout they are absent and we fall back to package.json and git.
import pkg from '../package.json' with { type: 'json' };

declare const NEXUS_BUILD_VERSION: string | undefined;
declare const NEXUS_BUILD_COMMIT: string | undefined;
declare const NEXUS_BUILD_DATE: string | undefined;

function gitCommit(): string {
  try {
    const r = Bun.spawnSync(['git', 'rev-parse', '--short', 'HEAD'], {
      cwd: import.meta.dir,
      stdout: 'pipe',
      stderr: 'ignore',
    });
    const out = r.stdout.toString().trim();
    return r.exitCode === 0 && out ? out : 'dev';
  } catch {
    return 'dev'; // no git binary
  }
}

export const VERSION: string = typeof NEXUS_BUILD_VERSION === 'string' ? NEXUS_BUILD_VERSION : pkg.version;
export const COMMIT: string = typeof NEXUS_BUILD_COMMIT === 'string' ? NEXUS_BUILD_COMMIT : gitCommit();
export const BUILD_DATE: string = typeof NEXUS_BUILD_DATE === 'string' ? NEXUS_BUILD_DATE : 'unknown';

/** `nexus 0.1.0 (commit abc1234, built 2025-01-01T00:00:00Z)` */
export const versionLine = (): string => `nexus ${VERSION} (commit ${COMMIT}, built ${BUILD_DATE})`;
