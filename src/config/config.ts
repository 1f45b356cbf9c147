// Resolves the static settings (flags > env > defaults) into one frozen Config, or lists every problem.
// Config is derived from the settings table: a row added there is a typed field here.
import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import { NexusError } from '../errors.ts';
import { parseLimitRule } from '../limiter/policy.ts';
import { parseSetting, SETTINGS, type SettingDef, type SettingKey, type SettingRow } from './settings.ts';

/** The raw environment: read by resolveConfig, and by `${env:NAME}` in tool files (registry/interpolate.ts). */
export type Env = Readonly<Record<string, string | undefined>>;

type ValueOf<R extends SettingRow> = R['kind'] extends 'int' | 'duration'
  ? number
  : R['kind'] extends 'list'
    ? readonly string[]
    : R['kind'] extends 'bool'
      ? boolean
      : R extends { readonly values: readonly (infer V)[] }
        ? V
        : string;
type WithDefault = Extract<SettingRow, { default: string }>;
type WithoutDefault = Exclude<SettingRow, { default: string }>;

/** Every setting by key; a setting with a default is always present. */
export type Config = { readonly [R in WithDefault as R['key']]: ValueOf<R> } & {
  readonly [R in WithoutDefault as R['key']]?: ValueOf<R>;
};

/** parseArgs options for the flags of the given settings (every flag takes a value). */
export function flagOptions(defs: readonly SettingDef[] = SETTINGS) {
  const options: Record<string, { type: 'string' }> = {};
  for (const d of defs) if (d.flag) options[d.flag] = { type: 'string' };
  return options;
}

function rawValue(def: SettingDef, flags: Readonly<Record<string, unknown>>, env: Env): [string | undefined, string] {
  const fromFlag = def.flag ? flags[def.flag] : undefined;
  if (typeof fromFlag === 'string') return [fromFlag, `--${def.flag}`];
  for (const name of [def.env, ...(def.aliases ?? [])]) {
    const v = env[name];
    if (v !== undefined && v !== '') return [v, name];
  }
  return [def.default, 'default'];
}

/** Rules between settings, checked after each value parsed. */
function crossChecks(c: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (typeof c.port === 'number' && c.port > 65535) problems.push(`port: ${c.port} is above 65535`);
  if (c.backendConcurrency === 0) problems.push('NEXUS_BACKEND_CONCURRENCY: must be at least 1');
  if (c.sseMaxSessions === 0) problems.push('NEXUS_SSE_MAX_SESSIONS: must be at least 1');
  const str = (k: string) => (typeof c[k] === 'string' ? (c[k] as string) : undefined);
  for (const [k, env] of [
    ['callerRateLimit', 'NEXUS_CALLER_RATE_LIMIT'],
    ['sessionRateLimit', 'NEXUS_SESSION_RATE_LIMIT'],
  ] as const) {
    const text = str(k);
    if (text && !parseLimitRule(text)) problems.push(`${env}: expected REQUESTS/DURATION like 600/1m, got "${text}"`);
  }
  if (str('oauthIssuer') || str('oauthAudience') || str('oauthJwksUrl')) {
    if (!str('oauthIssuer')) problems.push('NEXUS_OAUTH_ISSUER is required with OAuth');
    if (!str('oauthAudience')) problems.push('NEXUS_OAUTH_AUDIENCE is required with OAuth');
  }
  for (const [k, env] of [
    ['oauthIssuer', 'NEXUS_OAUTH_ISSUER'],
    ['oauthJwksUrl', 'NEXUS_OAUTH_JWKS_URL'],
    ['publicUrl', 'NEXUS_PUBLIC_URL'],
  ] as const) {
    const text = str(k);
    if (text && !URL.canParse(text)) problems.push(`${env} is not a URL`);
  }
  for (const [k, env] of [
    ['auditRetention', 'NEXUS_AUDIT_RETENTION'],
    ['keyRotation', 'NEXUS_KEY_ROTATION'],
  ] as const) {
    if (c[k] === 0) problems.push(`${env}: must be longer than 0`);
  }
  for (const [inline, file] of [
    ['masterKey', 'NEXUS_MASTER_KEY'],
    ['newMasterKey', 'NEXUS_NEW_MASTER_KEY'],
  ] as const) {
    if (str(inline) && str(`${inline}File`)) problems.push(`set ${file} or ${file}_FILE, not both`);
  }
  return problems;
}

/**
 * Builds the Config from already-parsed flag values and the environment. Throws one INVALID_CONFIG
 * error listing every bad value, each naming where it came from.
 */
export function resolveConfig(flags: Readonly<Record<string, unknown>>, env: Env): Config {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const def of SETTINGS as readonly SettingDef[]) {
    const [raw, where] = rawValue(def, flags, env);
    if (raw === undefined) continue;
    const parsed = parseSetting(def, raw);
    if ('error' in parsed) problems.push(`${where}: ${def.secret ? 'invalid value' : parsed.error}`);
    else out[def.key] = parsed.value;
  }
  problems.push(...crossChecks(out));
  if (problems.length) {
    throw new NexusError('INVALID_CONFIG', `invalid configuration:\n  ${problems.join('\n  ')}`, { details: { problems } });
  }
  return Object.freeze(out) as unknown as Config;
}

/** One setting from the environment alone, for paths that run before or without a Config (the CLI's error handler). */
export function settingFromEnv<K extends SettingKey>(key: K, env: Env): Config[K] | undefined {
  const def = (SETTINGS as readonly SettingDef[]).find((d) => d.key === key)!;
  const [raw] = rawValue(def, {}, env);
  const parsed = raw === undefined ? undefined : parseSetting(def, raw);
  return parsed && 'value' in parsed ? (parsed.value as Config[K]) : undefined;
}

type ExtraOptions = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;

/** The one argv parser of the CLI: strict, positionals allowed, a bad flag is an INVALID_INPUT error. */
export function parseFlags<T extends ParseArgsOptionsConfig>(argv: readonly string[], options: T) {
  try {
    return parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new NexusError('INVALID_INPUT', (e as Error).message.replace(/\. To specify a positional.*$/s, ''), { cause: e });
  }
}

/** Parses argv for a command whose flags are the given settings plus extra options. */
export function parseCommandArgs(
  argv: readonly string[],
  extra: ExtraOptions = {},
  defs: readonly SettingDef[] = SETTINGS,
): { values: Record<string, string | boolean | (string | boolean)[] | undefined>; positionals: string[] } {
  return parseFlags(argv, { ...flagOptions(defs), ...extra, help: { type: 'boolean', short: 'h' } });
}

/** Flags and environment of a CLI command resolved into its Config (the same resolver as `serve`). */
export function commandConfig(argv: readonly string[], env: Env, extra: ExtraOptions = {}) {
  const { values, positionals } = parseCommandArgs(argv, extra);
  return { config: resolveConfig(values, env), values, positionals };
}
