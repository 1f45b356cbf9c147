// Connects once to each server, as the gateway would, and reports its status (CLI: servers list, doctor).
import type { HttpOptions } from '../invoke/http.ts';
import { silentLogger } from '../log.ts';
import { createRegistry } from '../registry/registry.ts';
import type { ServerSpec } from '../registry/spec.ts';
import { createUpstreamPool } from './pool.ts';
import type { ServerStatus } from './runtime.ts';

export async function probeServers(servers: readonly ServerSpec[], http: HttpOptions, version: string): Promise<ServerStatus[]> {
  const pool = createUpstreamPool({ registry: createRegistry(), log: silentLogger, http, version });
  try {
    pool.apply(servers);
    await pool.settled();
    return pool.status();
  } finally {
    await pool.close();
  }
}
