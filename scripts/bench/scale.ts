// Scale: start-up time (spawn to /healthz 200), tools/list latency and idle RSS with many tools.
// Alone: bun scripts/bench/scale.ts [10 1000 10000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGateway, writeManyTools } from './nexus.ts';
import { CPUS, killChildren, rssMb } from './proc.ts';
import { median } from './stats.ts';
import { type Revision, toolsList } from './wrk.ts';

export interface ScaleRow {
  readonly tools: number;
  /** Median over the start-up samples. */
  readonly startupMs: number;
  readonly startupSamples: number;
  /** Median tools/list round trip (fetch from this process), per revision. */
  readonly listMs: Record<Revision, number>;
  readonly listBytes: number;
  readonly idleRssMb: number;
}

const LIST_CALLS = 20;

async function listLatency(url: string, rev: Revision, calls: number): Promise<{ ms: number; bytes: number }> {
  const call = toolsList(url, rev);
  const once = async () => {
    const t = performance.now();
    const res = await fetch(call.url, { method: 'POST', headers: call.headers, body: call.body });
    const text = await res.text();
    if (res.status !== 200 || !text.includes('"tools"')) throw new Error(`tools/list failed (${res.status}): ${text.slice(0, 200)}`);
    return { ms: performance.now() - t, bytes: text.length };
  };
  for (let i = 0; i < 3; i++) await once();
  const runs = [];
  for (let i = 0; i < calls; i++) runs.push(await once());
  return { ms: median(runs.map((r) => r.ms)), bytes: runs[0]!.bytes };
}

export async function runScale(
  sizes: readonly number[],
  opts: { backendUrl?: string; onRow?: (r: ScaleRow) => void } = {},
): Promise<ScaleRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'nexus-bench-scale-'));
  const rows: ScaleRow[] = [];
  try {
    for (const n of sizes) {
      const toolsDir = join(dir, `tools-${n}`);
      writeManyTools(toolsDir, n, opts.backendUrl ?? 'http://127.0.0.1:9');
      const samples = n >= 10_000 ? 1 : 3;
      const startups: number[] = [];
      let row: ScaleRow | undefined;
      for (let s = 0; s < samples; s++) {
        const gw = await startGateway({
          toolsDir,
          dataDir: join(dir, `data-${n}-${s}`),
          log: join(dir, `gw-${n}-${s}.log`),
          cpu: CPUS.server,
          timeoutMs: 120_000,
        });
        startups.push(gw.readyMs);
        if (s === samples - 1) {
          const idleRssMb = rssMb(gw.pid);
          const calls = n >= 10_000 ? 5 : LIST_CALLS;
          const a = await listLatency(gw.mcpUrl, '2025-11-25', calls);
          const b = await listLatency(gw.mcpUrl, '2026-07-28', calls);
          row = {
            tools: n,
            startupMs: median(startups),
            startupSamples: samples,
            listMs: { '2025-11-25': a.ms, '2026-07-28': b.ms },
            listBytes: b.bytes,
            idleRssMb,
          };
        }
        await gw.stop();
      }
      rows.push(row!);
      opts.onRow?.(row!);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

if (import.meta.main) {
  const sizes = process.argv
    .slice(2)
    .map(Number)
    .filter((n) => n > 0);
  process.on('SIGINT', () => {
    killChildren();
    process.exit(130);
  });
  console.log('tools     start-up   tools/list 2025   tools/list 2026   list size   idle RSS');
  await runScale(sizes.length ? sizes : [10, 1000, 10_000], {
    onRow: (r) =>
      console.log(
        `${String(r.tools).padStart(6)}  ${r.startupMs.toFixed(0).padStart(7)} ms  ${r.listMs['2025-11-25'].toFixed(2).padStart(12)} ms  ${r.listMs['2026-07-28'].toFixed(2).padStart(12)} ms  ${(r.listBytes / 1024).toFixed(0).padStart(7)} KB  ${r.idleRssMb.toFixed(1).padStart(6)} MB`,
      ),
  });
}
