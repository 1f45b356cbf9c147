// Federated servers probed from the CLI (servers list, doctor), those with auth through the vault as
// a read-only command opens it: an existing store and the configured master key, never a created
// database, a generated key or a migration. Credentials resolve as in the gateway (OAuth in memory).
import { existsSync } from 'node:fs';
import type { Config } from '../config/config.ts';
import { openDb, sqliteFile } from '../db/open.ts';
import { describeUrl } from '../db/postgres.ts';
import { isNexusError } from '../errors.ts';
import type { CredentialIdentity, InjectCredential } from '../invoke/types.ts';
import type { Logger } from '../log.ts';
import type { ServerSpec } from '../registry/spec.ts';
import { probeServers } from '../upstream/probe.ts';
import type { ServerStatus } from '../upstream/runtime.ts';
import { createAuthInjector } from '../vault/inject.ts';
import { currentMasterKey } from '../vault/master-key.ts';
import { VaultStore } from '../vault/store.ts';
import { createMemoryTokenCache } from '../vault/token-cache.ts';
import { TokenManager } from '../vault/tokens.ts';
import { Vault } from '../vault/vault.ts';
import { VERSION } from '../version.ts';

export interface VaultReader {
  readonly inject: InjectCredential;
  readonly credentialIdentity: CredentialIdentity;
  close(): Promise<void>;
}

/** The injector over the configured vault, or why it cannot be opened from here. */
export async function openVaultReader(config: Config, log: Logger): Promise<VaultReader | { skipped: string }> {
  const where = config.databaseUrl ? describeUrl(config.databaseUrl) : sqliteFile(config.dataDir);
  if (!config.databaseUrl && !existsSync(where)) return { skipped: `no vault at ${where} (set --data-dir or DATABASE_URL)` };
  let key: Uint8Array | undefined;
  try {
    key = currentMasterKey(config);
  } catch (e) {
    return { skipped: isNexusError(e) ? e.message : 'the master key cannot be read' };
  }
  if (!key) return { skipped: 'no master key (set NEXUS_MASTER_KEY or NEXUS_MASTER_KEY_FILE)' };
  const db = await openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, log }).catch(() => undefined);
  if (!db) return { skipped: `cannot open the store at ${where}` };
  try {
    if (!(await new VaultStore(db).keyCheck().catch(() => undefined))) {
      await db.close();
      return { skipped: `the store at ${where} holds no vault (run nexus migrate and nexus vault put)` };
    }
    const vault = await Vault.open(db, key, { log });
    const tokens = new TokenManager({ vault, cache: createMemoryTokenCache(), log });
    return { ...createAuthInjector({ vault, tokens }), close: () => db.close() };
  } catch (e) {
    await db.close();
    return { skipped: isNexusError(e) ? e.message : `cannot open the vault at ${where}` };
  }
}

export type ProbeRow = Omit<Pick<ServerStatus, 'name' | 'state' | 'tools'>, 'state'> & {
  state: ServerStatus['state'] | 'skipped';
} & Partial<Omit<ServerStatus, 'state'>>;

/** Every server probed from here: those with auth through the vault when it opens, else skipped with why. */
export async function probeOffline(servers: readonly ServerSpec[], config: Config, log: Logger): Promise<ProbeRow[]> {
  const needVault = servers.some((s) => s.auth);
  const vault = needVault ? await openVaultReader(config, log) : undefined;
  const usable = vault && !('skipped' in vault) ? vault : undefined;
  try {
    const probed = await probeServers(
      servers.filter((s) => !s.auth || usable),
      { proxies: config },
      VERSION,
      usable,
    );
    const byName = new Map(probed.map((r) => [r.name, r]));
    return servers.map(
      (s): ProbeRow =>
        byName.get(s.name) ?? {
          name: s.name,
          state: 'skipped',
          tools: 0,
          error: `not contacted: it needs credential "${s.auth!.credential}" and ${vault && 'skipped' in vault ? vault.skipped : 'the vault is closed'}`,
        },
    );
  } finally {
    await usable?.close();
  }
}
