// The four Nexus gateways under test: embedded and shared (PostgreSQL + Redis), each plain and with
// access control + limits. Each is probed for what it actually enforces; a mode that cannot start is
// skipped with the reason instead of failing the whole bench.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createKey, probeFeatures, startGateway } from './nexus.ts';
import { CPUS, rssMb } from './proc.ts';
import type { Mode } from './report.ts';
import type { SharedServices } from './shared-services.ts';

const MODES = [
  { id: 'embedded', shared: false, secured: false },
  { id: 'embedded+secured', shared: false, secured: true },
  { id: 'shared', shared: true, secured: false },
  { id: 'shared+secured', shared: true, secured: true },
] as const;

export interface ModesOptions {
  readonly dir: string;
  readonly runId: string;
  readonly prefix: string;
  readonly plainTools: string;
  readonly securedTools: string;
  readonly shared?: SharedServices;
  readonly log: (line: string) => void;
}

/** The PostgreSQL schema a shared mode's gateway uses. */
export const schemaOf = (runId: string, secured: boolean) => `bench_${runId}_${secured ? 'sec' : 'plain'}`;

export async function startModes(o: ModesOptions): Promise<Mode[]> {
  const modes: Mode[] = [];
  const masterKey = randomBytes(32).toString('base64'); // shared mode needs one key on every instance
  for (const m of MODES) {
    const mode: Mode = { id: m.id, shared: m.shared, secured: m.secured, unavailable: [], env: {} };
    modes.push(mode);
    if (m.shared && !o.shared) {
      mode.skipped = 'PostgreSQL/Redis unavailable';
      continue;
    }
    const dataDir = join(o.dir, `data-${m.id}`);
    if (m.shared)
      mode.env = {
        DATABASE_URL: await o.shared!.schemaUrl(schemaOf(o.runId, m.secured)),
        REDIS_URL: o.shared!.redisUrl,
        NEXUS_MASTER_KEY: masterKey,
      };
    mode.dataDir = dataDir;
    if (m.secured) {
      const made = await createKey(dataDir, { ...mode.env, NEXUS_DATA_DIR: dataDir });
      if (made.key) mode.auth = { authorization: `Bearer ${made.key}` };
      else mode.unavailable.push(`access control (${made.why})`);
    }
    try {
      const gw = await startGateway({
        toolsDir: m.secured ? o.securedTools : o.plainTools,
        dataDir,
        log: join(o.dir, `nexus-${m.id}.log`),
        cpu: CPUS.server,
        env: mode.env,
      });
      mode.gateway = gw;
      mode.startupMs = gw.readyMs;
      mode.idleRssMb = rssMb(gw.pid);
      const f = await probeFeatures(gw, o.prefix, '2026-07-28', mode.auth, m.secured);
      mode.features = f;
      if (!f.cache) mode.unavailable.push('cache (cached calls still reach the backend)');
      if (m.secured && mode.auth && !f.access) mode.unavailable.push('access control (a call without a key was answered)');
      if (m.secured && !f.limits) mode.unavailable.push('rate limits (a 1-per-minute tool answered twice)');
      if (m.shared) {
        mode.redisKeys = (await o.shared!.redisKeys(o.runId)).length;
        if (!mode.redisKeys) mode.unavailable.push('Redis (no keys written: cache/limits are in-process)');
      }
      o.log(
        `  ${m.id}: ready in ${gw.readyMs.toFixed(0)} ms, features ${JSON.stringify(f)}${mode.unavailable.length ? `; unavailable: ${mode.unavailable.join('; ')}` : ''}`,
      );
    } catch (e) {
      mode.skipped = `gateway did not start: ${(e as Error).message.split('\n')[0]}`;
      o.log(`  ${m.id}: ${mode.skipped}`);
    }
  }
  return modes;
}
