// Runs the official MCP conformance suite (the pinned devDependency in node_modules) against a URL.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The suite's entry point; it needs Node >= 22 or Bun, so it runs on the Bun that runs the tests. */
export const CONFORMANCE_ENTRY = join(import.meta.dir, '../../node_modules/@modelcontextprotocol/conformance/dist/index.js');

export interface ConformanceCheck {
  id: string;
  status: 'SUCCESS' | 'FAILURE' | 'WARNING' | 'INFO' | 'SKIPPED' | string;
  errorMessage?: string;
  details?: { untestable?: boolean; [k: string]: unknown };
}

export interface ConformanceRun {
  code: number;
  output: string;
  checks: ConformanceCheck[];
}

/** One `conformance server` scenario for one protocol revision; resolves with its checks. */
export async function runConformance(
  url: string | URL,
  specVersion: string,
  scenario: string,
  extraArgs: string[] = [],
): Promise<ConformanceRun> {
  const out = mkdtempSync(join(tmpdir(), 'nexus-conf-'));
  try {
    const args = ['server', '--url', String(url), '-o', out, '--spec-version', specVersion, '--scenario', scenario];
    const proc = Bun.spawn([process.execPath, CONFORMANCE_ENTRY, ...args, ...extraArgs], {
      stdout: 'pipe',
      stderr: 'pipe',
    });
    const [code, stdout, stderr] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
    const dir = readdirSync(out).find((d) => d.includes(scenario));
    const checks: ConformanceCheck[] = dir ? JSON.parse(readFileSync(join(out, dir, 'checks.json'), 'utf8')) : [];
    return { code, output: stdout + stderr, checks };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** Ids of failed checks, for a whole-shape assertion (`toEqual([])`). */
export function failedChecks(run: ConformanceRun, opts: { ignoreUntestable?: boolean } = {}): string[] {
  return run.checks.filter((c) => c.status === 'FAILURE' && !(opts.ignoreUntestable && c.details?.untestable)).map((c) => c.id);
}
