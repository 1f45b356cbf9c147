// CPU time per tools/call of the gateway itself, in process: the app built as `nexus serve` builds it
// (from this checkout or --root DIR), requests handed straight to its fetch handler (no sockets, no
// wrk), the stand-in backend in a child process on the other CPU. It prints process CPU time
// (user + system, worker threads included) per call over the measured calls, so a change of a few
// microseconds shows even on a busy machine. Run it under `bun --cpu-prof` for a profile in which
// nearly every sample is gateway work (the loop keeps the thread busy).
// bun scripts/bench/hot.ts [--kind uncached|cached] [--secured] [--shared] [--calls 20000] [--concurrency 16] [--root DIR]...
// Several --root: every checkout's app in this one process, measured in alternating chunks of calls
// (background work of one, such as its audit flush, can land in another's chunk: for a clean A/B run
// two processes side by side). Run it as `nexus serve` runs: MIMALLOC_PURGE_DELAY=-1 bun scripts/bench/hot.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createKey, toolNames, writeBenchTools } from './nexus.ts';
import { BUN, CPUS, killChildren, ROOT, spawnChild } from './proc.ts';
import { openSharedServices } from './shared-services.ts';
import { median } from './stats.ts';
import { toolCall } from './wrk.ts';

const { values: f } = parseArgs({
  options: {
    kind: { type: 'string', default: 'uncached' },
    secured: { type: 'boolean', default: false },
    shared: { type: 'boolean', default: false },
    calls: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '16' },
    revision: { type: 'string', default: '2026-07-28' },
    /** A checkout to measure (repeat it to compare several, e.g. a worktree of the base commit). */
    root: { type: 'string', multiple: true, default: [] },
    warmup: { type: 'string', default: '3000' },
    chunk: { type: 'string', default: '1000' },
  },
});
const roots = (f.root.length ? f.root : [ROOT]).map((r) => (r.endsWith('/') ? r : `${r}/`));
const dir = mkdtempSync(join(tmpdir(), 'nexus-hot-'));
const runId = crypto.randomUUID().replace(/-/g, '').slice(0, 8);
const shared = f.shared ? await openSharedServices() : undefined;
try {
  const backend = await spawnChild([BUN, join(ROOT, 'scripts/bench/backend.ts'), '--port', '0'], {
    log: join(dir, 'backend.log'),
    cpu: CPUS.load,
  });
  const prefix = `hot${runId}_`;
  const name = toolNames(prefix)[f.kind === 'cached' ? 'cached' : 'uncached'];
  const start = async (root: string, i: number) => {
    const tools = join(dir, `tools-${i}`);
    const data = join(dir, `data-${i}`);
    writeBenchTools(tools, { prefix, backendUrl: backend.url, limits: f.secured });
    const env: Record<string, string> = {
      NEXUS_DATA_DIR: data,
      ...(shared && {
        DATABASE_URL: await shared.schemaUrl(`hot_${runId}_${i}`),
        REDIS_URL: shared.redisUrl,
        NEXUS_MASTER_KEY: Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64'),
      }),
    };
    const key = f.secured ? (await createKey(data, env, root)).key : undefined;
    const { createApp } = (await import(`${root}src/app.ts`)) as typeof import('../../src/app.ts');
    const { resolveConfig } = (await import(`${root}src/config/config.ts`)) as typeof import('../../src/config/config.ts');
    const { createLogger } = (await import(`${root}src/log.ts`)) as typeof import('../../src/log.ts');
    const app = await createApp({ config: resolveConfig({ port: '0', tools }, env), log: createLogger({ level: 'warn' }), env });
    const call = toolCall(
      'http://127.0.0.1:8080/mcp',
      f.revision as '2026-07-28',
      name,
      { id: '42' },
      {
        host: '127.0.0.1:8080',
        ...(key && { authorization: `Bearer ${key}` }),
      },
    );
    const once = async () => {
      const res = await app.http.handle(new Request(call.url, { method: 'POST', headers: call.headers, body: call.body }));
      const text = await res.text();
      if (res.status !== 200 || !text.includes('"isError":false')) throw new Error(`bad answer ${res.status}: ${text.slice(0, 300)}`);
    };
    const drive = async (n: number) => {
      let left = n;
      await Promise.all(
        Array.from({ length: Number(f.concurrency) }, async () => {
          // a turn of the event loop between calls, as socket reads give a server: timers (the audit flush) run
          while (left-- > 0) {
            await once();
            await new Promise<void>((r) => setImmediate(r));
          }
        }),
      );
    };
    return { root, app, drive, cpuUs: [] as number[] };
  };
  const targets = [];
  for (const [i, root] of roots.entries()) targets.push(await start(root, i));
  for (const t of targets) await t.drive(Number(f.warmup)); // JIT, lazy compiles, the audit thread
  // chunks alternate between the checkouts, so a change in the machine's load reaches all of them
  const chunk = Math.min(Number(f.chunk), Number(f.calls));
  for (let done = 0; done < Number(f.calls); done += chunk) {
    for (const t of targets) {
      const cpu0 = process.cpuUsage();
      await t.drive(chunk);
      const cpu = process.cpuUsage(cpu0);
      t.cpuUs.push((cpu.user + cpu.system) / chunk);
    }
  }
  for (const t of targets) {
    const sorted = [...t.cpuUs].sort((a, b) => a - b);
    console.log(
      `${t.root.padEnd(40)} ${f.kind}${f.secured ? ' secured' : ''}${f.shared ? ' shared' : ''}  CPU µs/call median ${median(t.cpuUs).toFixed(1)}  min ${sorted[0]!.toFixed(1)}  (${t.cpuUs.length} chunks of ${chunk})`,
    );
  }
  for (const t of targets) await t.app.close();
  await backend.stop();
} finally {
  killChildren();
  await shared?.cleanup(runId).catch(() => {});
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
