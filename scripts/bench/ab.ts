// A/B check for hot-path work: Nexus from a git revision (a temporary worktree) against the working
// tree, embedded mode, both driven by wrk in alternating rounds, uncached and cached.
// bun scripts/bench/ab.ts [--base HEAD] [--rounds 3] [--seconds 3] [--revision 2026-07-28] [--secured]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startBenchBackend } from './backend.ts';
import { createKey, startGateway, toolNames, writeBenchTools, type Gateway } from './nexus.ts';
import { CPUS, killChildren, ROOT } from './proc.ts';
import { median } from './stats.ts';
import { checkCall, runWrk, toolCall, type Revision } from './wrk.ts';

const { values: f } = parseArgs({
  options: {
    base: { type: 'string', default: 'HEAD' },
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '32' },
    revision: { type: 'string', default: '2026-07-28' },
    secured: { type: 'boolean', default: false },
  },
});
const rev = f.revision as Revision;
const dir = mkdtempSync(join(tmpdir(), 'nexus-ab-'));
const worktree = join(dir, 'base');
execFileSync('git', ['worktree', 'add', '--detach', worktree, f.base], { cwd: ROOT, stdio: 'ignore' });
symlinkSync(join(ROOT, 'node_modules'), join(worktree, 'node_modules'));
const cleanup = () => {
  killChildren();
  execFileSync('git', ['worktree', 'remove', '--force', worktree], { cwd: ROOT, stdio: 'ignore' });
  rmSync(dir, { recursive: true, force: true });
};
process.on('SIGINT', () => (cleanup(), process.exit(130)));

try {
  const backend = startBenchBackend();
  const prefix = 'ab_';
  const names = toolNames(prefix);
  const start = async (label: string, cwd: string) => {
    const tools = join(dir, `${label}-tools`);
    const data = join(dir, `${label}-data`);
    writeBenchTools(tools, { prefix, backendUrl: backend.url, limits: f.secured });
    const env = {};
    const key = f.secured ? (await createKey(data, { NEXUS_DATA_DIR: data })).key : undefined;
    const gw: Gateway = await startGateway({ toolsDir: tools, dataDir: data, log: join(dir, `${label}.log`), cpu: CPUS.server, env, cwd });
    return { label, gw, auth: key ? { authorization: `Bearer ${key}` } : undefined };
  };
  const targets = [await start(`base(${f.base})`, worktree), await start('work', ROOT)];
  const results = new Map<string, number[]>();
  for (let round = 0; round < Number(f.rounds); round++) {
    for (const kind of ['uncached', 'cached'] as const) {
      for (const t of targets) {
        const call = toolCall(t.gw.mcpUrl, rev, names[kind], { id: kind === 'cached' ? '42' : '7' }, t.auth);
        await checkCall(call);
        console.error(`round ${round + 1}: ${t.label} ${kind}`);
        const r = await runWrk(call, { seconds: Number(f.seconds), connections: Number(f.connections), cpu: CPUS.load });
        if (r.errors || r.bad) throw new Error(`${t.label} ${kind}: ${r.errors} errors, ${r.bad} bad answers`);
        const k = `${kind} ${t.label}`;
        results.set(k, [...(results.get(k) ?? []), r.rps]);
      }
    }
  }
  for (const [k, v] of results) console.log(`${k.padEnd(28)} median ${Math.round(median(v))} req/s  [${v.map(Math.round).join(', ')}]`);
  backend.stop();
} finally {
  cleanup();
}
