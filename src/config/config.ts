// Resolves the static settings (flags > env > defaults) into one frozen Config, or lists every problem.
import { parseArgs } from 'node:util';
import { NexusError } from '../errors.ts';
import { parseSetting, SETTINGS, type SettingDef } from './settings.ts';

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly toolsDir: string;
  readonly dataDir: string;
  readonly databaseUrl?: string;
  readonly redisUrl?: string;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
  readonly allowedOrigins: readonly string[];
  readonly allowedHosts: readonly string[];
  readonly maxRequestBytes: number;
  readonly maxResponseBytes: number;
  readonly nearCacheBytes: number;
  readonly adminToken?: string;
  readonly rateLimitFailMode: 'open' | 'closed';
  readonly callerRateLimit?: string;
  readonly sessionRateLimit?: string;
  readonly drainTimeout: number;
  readonly caFile?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** parseArgs options for the flags of the given settings (every flag takes a value). */
export function flagOptions(defs: readonly SettingDef[] = SETTINGS) {
  const options: Record<string, { type: 'string' }> = {};
  for (const d of defs) if (d.flag) options[d.flag] = { type: 'string' };
  return options;
}

/**
 * Builds the Config from already-parsed flag values and the environment. Throws one INVALID_CONFIG
 * error listing every bad value, each naming where it came from.
 */
export function resolveConfig(flags: Readonly<Record<string, unknown>>, env: Env): Config {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const def of SETTINGS as readonly SettingDef[]) {
    const fromFlag = def.flag ? flags[def.flag] : undefined;
    const fromEnv = env[def.env];
    const [raw, where] =
      typeof fromFlag === 'string'
        ? [fromFlag, `--${def.flag}`]
        : fromEnv !== undefined && fromEnv !== ''
          ? [fromEnv, def.env]
          : [def.default, 'default'];
    if (raw === undefined) continue;
    const parsed = parseSetting(def, raw);
    if ('error' in parsed) problems.push(`${where}: ${def.secret ? 'invalid value' : parsed.error}`);
    else out[def.key] = parsed.value;
  }
  if (typeof out.port === 'number' && out.port > 65535) problems.push(`port: ${out.port} is above 65535`);
  if (problems.length) {
    throw new NexusError('INVALID_CONFIG', `invalid configuration:\n  ${problems.join('\n  ')}`, { details: { problems } });
  }
  return Object.freeze(out) as unknown as Config;
}

/** Parses argv for a command whose flags are the given settings plus extra options. */
export function parseCommandArgs(
  argv: readonly string[],
  extra: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {},
  defs: readonly SettingDef[] = SETTINGS,
): { values: Record<string, string | boolean | (string | boolean)[] | undefined>; positionals: string[] } {
  try {
    return parseArgs({
      args: [...argv],
      options: { ...flagOptions(defs), ...extra, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    throw new NexusError('INVALID_INPUT', (e as Error).message.replace(/\. To specify a positional.*$/s, ''));
  }
}
