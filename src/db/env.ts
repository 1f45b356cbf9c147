// The database settings every command reads the same way: --data-dir, then env, then the default.
type Env = Readonly<Record<string, string | undefined>>;

export const DEFAULT_DATA_DIR = './data';

export interface DbSettings {
  readonly databaseUrl?: string;
  readonly dataDir: string;
  /** True when the store is the embedded SQLite file (no DATABASE_URL). */
  readonly embedded: boolean;
}

export function dbSettings(env: Env, flags: { dataDir?: string } = {}): DbSettings {
  const databaseUrl = env.DATABASE_URL || undefined;
  return { databaseUrl, dataDir: flags.dataDir ?? (env.NEXUS_DATA_DIR || DEFAULT_DATA_DIR), embedded: !databaseUrl };
}
