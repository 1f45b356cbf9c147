// The database settings every command reads the same way, from the Config `serve` resolves too.
import type { Config } from '../config/config.ts';

export interface DbSettings {
  readonly databaseUrl?: string;
  readonly dataDir: string;
  /** True when the store is the embedded SQLite file (no DATABASE_URL). */
  readonly embedded: boolean;
}

export function dbSettings(config: Pick<Config, 'databaseUrl' | 'dataDir'>): DbSettings {
  const { databaseUrl, dataDir } = config;
  return { ...(databaseUrl && { databaseUrl }), dataDir, embedded: !databaseUrl };
}
