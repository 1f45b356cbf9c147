// Connects once to each server, as the gateway would, and reports its status (CLI: servers list, doctor).
import type { HttpOptions } from '../invoke/http.ts';
import type { CredentialIdentity, InjectCredential } from '../invoke/types.ts';
import { silentLogger } from '../log.ts';
import { createRegistry } from '../registry/registry.ts';
import type { ServerSpec } from '../registry/spec.ts';
import { createUpstreamPool } from './pool.ts';
import type { ServerStatus } from './runtime.ts';

/** The vault's injector, for servers with an auth block. */
export interface ProbeCredentials {
  readonly inject: InjectCredential;
  readonly credentialIdentity: CredentialIdentity;
}

export async function probeServers(
  servers: readonly ServerSpec[],
  http: HttpOptions,
  version: string,
  credentials?: ProbeCredentials,
): Promise<ServerStatus[]> {
  const pool = createUpstreamPool({ registry: createRegistry(), log: silentLogger, http, version, ...credentials });
  try {
    pool.apply(servers);
    await pool.settled();
    return pool.status();
  } finally {
    await pool.close();
  }
}
