// Idle memory of `nexus serve` over the example tools: VmRSS once /healthz answers and the process
// has settled, median of 3 starts. `bun scripts/bench/idle-rss.ts [--root DIR] [--write]`: --root
// measures another checkout (e.g. a git worktree of an older commit); --write updates its section
// in docs/benchmarks.md. `npm run bench` runs it too.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startDemoBackend } from '../demo-backend.ts';
import { freePort, NEXUS_BUILD, nexusArgv, ROOT, settledRssMb, spawnChild } from './proc.ts';
import { median } from './stats.ts';

export interface IdleRss {
  readonly mb: number;
  readonly runs: number[];
  readonly tools: number;
}

const settle = (pid: number) => settledRssMb(pid, 100, 10_000);

export async function measureIdleRss(root = ROOT, runs = 3): Promise<IdleRss> {
  const backend = startDemoBackend(0);
  const base = `http://127.0.0.1:${backend.port}`;
  const dir = mkdtempSync(join(tmpdir(), 'nexus-rss-'));
  const samples: number[] = [];
  let tools = 0;
  try {
    for (let i = 0; i < runs; i++) {
      const port = await freePort();
      const gw = await spawnChild([...nexusArgv(root), 'serve', '--port', String(port), '--tools', join(root, 'tools')], {
        cwd: root,
        log: join(dir, `serve-${i}.log`),
        env: {
          NEXUS_DATA_DIR: join(dir, `data-${i}`),
          JIRA_URL: `${base}/jira`,
          CRM_URL: `${base}/crm/v1`,
          INVENTORY_URL: `${base}/inventory`,
          LOG_LEVEL: 'warn',
        },
        health: { port, path: '/healthz' },
      });
      const ready = (await (await fetch(`${gw.url}/readyz`)).json()) as { checks?: { tools?: string } };
      tools = Number.parseInt(ready.checks?.tools ?? '0', 10);
      samples.push(await settle(gw.pid));
      await gw.stop();
    }
  } finally {
    backend.stop(true);
    rmSync(dir, { recursive: true, force: true });
  }
  return { mb: median(samples), runs: samples, tools };
}

export const IDLE_RSS_START = '<!-- idle-rss -->';
export const IDLE_RSS_END = '<!-- /idle-rss -->';

export function idleRssSection(r: IdleRss, before?: { mb: number; label: string }): string {
  return [
    IDLE_RSS_START,
    '## Idle RSS, example tools',
    '',
    `\`nexus serve\` over \`tools/\` (${r.tools} tools), embedded mode, VmRSS once \`/healthz\` answers and RSS is steady; median of ${r.runs.length} starts (\`bun scripts/bench/idle-rss.ts\`).`,
    '',
    '| build | idle RSS | target |',
    '|---|---|---|',
    ...(before ? [`| ${before.label} | ${before.mb.toFixed(1)} MB | |`] : []),
    `| this build, ${NEXUS_BUILD} | ${r.mb.toFixed(1)} MB (runs: ${r.runs.map((x) => x.toFixed(1)).join(', ')}) | < 80 MB: ${r.mb < 80 ? 'pass' : '**FAIL**'} |`,
    IDLE_RSS_END,
  ].join('\n');
}

/** Replaces (or appends) the idle-RSS section of docs/benchmarks.md. */
export function writeIdleRssSection(section: string, file = join(ROOT, 'docs/benchmarks.md')): void {
  writeMarkedSection(IDLE_RSS_START, IDLE_RSS_END, section, file);
}

/** Replaces the part of a report between two markers (the section includes them), or appends it. */
export function writeMarkedSection(startMarker: string, endMarker: string, section: string, file = join(ROOT, 'docs/benchmarks.md')): void {
  const text = readFileSync(file, 'utf8');
  const start = text.indexOf(startMarker);
  const end = text.indexOf(endMarker);
  const next =
    start >= 0 && end > start ? text.slice(0, start) + section + text.slice(end + endMarker.length) : `${text.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, next);
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: { root: { type: 'string' }, write: { type: 'boolean', default: false }, before: { type: 'string' } },
  });
  const r = await measureIdleRss(values.root ?? ROOT);
  console.log(JSON.stringify(r));
  if (values.write) {
    // --before "LABEL=MB": a figure measured earlier with --root on the older checkout
    const [label, mb] = values.before?.split('=') ?? [];
    writeIdleRssSection(idleRssSection(r, label && mb ? { label, mb: Number(mb) } : undefined));
  }
}
