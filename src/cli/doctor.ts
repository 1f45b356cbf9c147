// `nexus doctor`: checks what `serve` depends on (configuration, tools, store and migrations, master
// key, Redis, every backend host, the bind policy) and prints one line each with what to fix. It only
// reads: it creates no database, key or vault, and applies no migration.
import { lookup } from 'node:dns/promises';
import { existsSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { assertBindPolicy } from '../auth/bind-policy.ts';
import { oauthConfigOf } from '../auth/jwt.ts';
import { createKeyService } from '../auth/keys.ts';
import { type Config, type Env, parseCommandArgs, resolveConfig } from '../config/config.ts';
import { MIGRATIONS } from '../db/migrations.ts';
import { openDb, sqliteFile } from '../db/open.ts';
import { describeUrl } from '../db/postgres.ts';
import { openRedis, type RedisClient, redactRedisUrl } from '../db/redis.ts';
import type { Db } from '../db/types.ts';
import { isNexusError, NexusError } from '../errors.ts';
import { isLoopback } from '../http/guards.ts';
import { send, type UnreachableReason, unreachableReason } from '../invoke/http.ts';
import { proxyFor } from '../invoke/proxy.ts';
import { silentLogger } from '../log.ts';
import { servesBuiltInExamples } from '../registry/examples.ts';
import { loadToolsDir } from '../registry/load.ts';
import type { BackendSpec, ServerSpec, ToolSpec } from '../registry/spec.ts';
import { formatIssue } from '../registry/yaml-file.ts';
import { startupProblems } from '../startup.ts';
import { redactText } from '../util/redact.ts';
import { opensKeyCheck } from '../vault/crypto.ts';
import { currentMasterKey, masterKeyFile } from '../vault/master-key.ts';
import { VaultStore } from '../vault/store.ts';
import type { Command } from './command.ts';
import { settingsHelp } from './help.ts';
import { probeOffline } from './offline-probe.ts';

export type CheckStatus = 'ok' | 'warn' | 'FAIL';

export interface CheckResult {
  readonly status: CheckStatus;
  /** What was checked: `config`, `tools`, `store`, `migrations`, `master key`, `redis`, `backend <origin>`, `bind`. */
  readonly check: string;
  readonly detail: string;
  /** What to change, for a warn or FAIL. */
  readonly fix?: string;
}

export interface DoctorOptions {
  /** PostgreSQL schema to inspect instead of the URL's default (tests use one schema each). */
  readonly dbSearchPath?: string;
  /** How long a backend or Redis may take to answer (default 3s). */
  readonly timeoutMs?: number;
}

const ok = (check: string, detail: string): CheckResult => ({ status: 'ok', check, detail });
const warn = (check: string, detail: string, fix: string): CheckResult => ({ status: 'warn', check, detail, fix });
const fail = (check: string, detail: string, fix: string): CheckResult => ({ status: 'FAIL', check, detail, fix });
const message = (e: unknown) => redactText(e instanceof Error ? e.message : String(e));

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>(
    (_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms / 1000}s`)), ms)),
  );
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** Runs every check; never throws for a problem it can name. */
export async function diagnose(io: { argv: readonly string[]; env: Env }, opts: DoctorOptions = {}): Promise<CheckResult[]> {
  const timeoutMs = opts.timeoutMs ?? 3000;
  let config: Config;
  try {
    config = resolveConfig(parseCommandArgs(io.argv).values, io.env);
  } catch (e) {
    const problems = (isNexusError(e) && (e.details?.problems as string[] | undefined)) || [message(e)];
    return [fail('config', problems.join('; '), 'correct these flags or environment variables (nexus serve --help lists them)')];
  }
  const results: CheckResult[] = [configCheck(config)];
  const tools = toolsChecks(config, io.env);
  results.push(...tools.results);

  const store = await storeChecks(config, opts);
  results.push(...store.results);
  try {
    // the network checks wait up to timeoutMs each: run them side by side
    const [key, redis, backends, bind] = await Promise.all([
      masterKeyCheck(config, store.db, store.applied),
      redisCheck(config, timeoutMs),
      Promise.all(distinctBackends(tools.tools).map((b) => backendCheck(b, config, timeoutMs))),
      bindCheck(config, store.db, store.applied),
    ]);
    results.push(key, redis, ...backends, ...(await serverChecks(tools.servers, config)), bind);
  } finally {
    await store.db?.close();
  }
  return results;
}

// The same start-up checks `serve` makes (startup.ts), after the settings parsed
function configCheck(config: Config): CheckResult {
  const problems = startupProblems(config);
  if (problems.length) return fail('config', problems.join('; '), 'correct these environment variables (nexus serve --help lists them)');
  const store = config.databaseUrl ? `postgres ${describeUrl(config.databaseUrl)}` : `sqlite ${sqliteFile(config.dataDir)}`;
  return ok('config', `listen ${config.host}:${config.port}, tools ${config.toolsDir}, store ${store}${config.redisUrl ? ', redis' : ''}`);
}

/** Each federated server, connected to as the gateway would (one with auth through the vault, if it opens here). */
async function serverChecks(servers: readonly ServerSpec[], config: Config): Promise<CheckResult[]> {
  const rows = await probeOffline(servers, config, silentLogger);
  return rows.map((s) =>
    s.state === 'ready'
      ? ok(`server ${s.name}`, `${s.tools} tool(s), ${s.protocol ?? 'MCP'} via ${s.via ?? s.transport} (${s.target})`)
      : s.state === 'skipped'
        ? warn(`server ${s.name}`, s.error ?? 'not contacted', 'run `nexus servers list --url <gateway>`')
        : fail(`server ${s.name}`, s.error ?? s.state, `check that ${s.target} is running and reachable from here`),
  );
}

function toolsChecks(config: Config, env: Env): { results: CheckResult[]; tools: ToolSpec[]; servers: ServerSpec[] } {
  if (servesBuiltInExamples(config.toolsDir)) {
    return {
      tools: [],
      servers: [],
      results: [
        warn(
          'tools',
          `no ${config.toolsDir} directory: serve would offer only the built-in example tools`,
          'point NEXUS_TOOLS_DIR or --tools at your tool files',
        ),
      ],
    };
  }
  const loaded = loadToolsDir(config.toolsDir, { env, maxResponseBytes: config.maxResponseBytes, thorough: true });
  if (loaded.issues.length) {
    const shown = loaded.issues.slice(0, 5).map(formatIssue).join('; ');
    const fix = `fix the tool files; \`nexus check --tools ${config.toolsDir}\` lists every issue`;
    return {
      tools: [],
      servers: [],
      results: [fail('tools', `${loaded.issues.length} issue(s): ${shown}${loaded.issues.length > 5 ? '; ...' : ''}`, fix)],
    };
  }
  const insecure = distinctBackends(loaded.tools).filter((b) => b.backend.tls?.insecure);
  const results = [
    ok('tools', `${loaded.tools.length} tool(s) in ${loaded.files.length} file(s) under ${config.toolsDir}`),
    ...insecure.map((b) =>
      warn(
        `backend ${b.backend.baseUrl.origin}`,
        'tls.insecure: certificate verification is OFF for this backend',
        `trust its CA with tls.ca_file in ${b.files.join(', ')} and remove insecure`,
      ),
    ),
  ];
  return { tools: loaded.tools, servers: loaded.servers, results };
}

async function storeChecks(config: Config, opts: DoctorOptions): Promise<{ results: CheckResult[]; db?: Db; applied: Set<string> }> {
  const applied = new Set<string>();
  if (!config.databaseUrl && !existsSync(sqliteFile(config.dataDir))) {
    return {
      applied,
      results: [
        warn(
          'store',
          `no database yet at ${sqliteFile(config.dataDir)}`,
          '`nexus migrate` or the first `nexus serve` creates it; check --data-dir / NEXUS_DATA_DIR if one should exist',
        ),
      ],
    };
  }
  let db: Db;
  try {
    db = await openDb({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      log: silentLogger,
      ...(opts.dbSearchPath && { searchPath: opts.dbSearchPath }),
    });
  } catch (e) {
    const fix = config.databaseUrl
      ? 'check DATABASE_URL (host, port, database, user) and that PostgreSQL accepts connections from here'
      : 'check that the data dir is readable and writable by this user';
    return { applied, results: [fail('store', message(e), fix)] };
  }
  const where = config.databaseUrl ? `postgres ${describeUrl(config.databaseUrl)}` : `sqlite ${sqliteFile(config.dataDir)}`;
  try {
    for (const r of await db.query<{ name: string }>('SELECT name FROM nexus_migrations')) applied.add(r.name);
  } catch {
    // no nexus_migrations table yet: nothing applied
  }
  const pending = MIGRATIONS.filter((m) => !applied.has(m.name)).map((m) => m.name);
  const unknown = [...applied].filter((n) => !MIGRATIONS.some((m) => m.name === n));
  const results = [ok('store', `${where} answers`)];
  if (unknown.length)
    results.push(
      warn(
        'migrations',
        `the database has migrations this build does not know: ${unknown.join(', ')}`,
        'run the newer nexus version that applied them',
      ),
    );
  else if (pending.length)
    results.push(warn('migrations', `pending: ${pending.join(', ')}`, '`nexus migrate` applies them (`nexus serve` also does at start)'));
  else results.push(ok('migrations', `current (${MIGRATIONS.length} applied)`));
  return { results, db, applied };
}

async function masterKeyCheck(config: Config, db: Db | undefined, applied: Set<string>): Promise<CheckResult> {
  const name = 'master key';
  const file = masterKeyFile(config.dataDir);
  const check = db && applied.has('001_vault') ? await new VaultStore(db).keyCheck() : undefined;
  // the key exactly as `serve` reads it (never generated here)
  const source = config.masterKey ? 'NEXUS_MASTER_KEY' : config.masterKeyFile ? 'NEXUS_MASTER_KEY_FILE' : file;
  let key: Uint8Array | undefined;
  try {
    key = currentMasterKey(config);
  } catch (e) {
    return fail(name, message(e), 'give a 32-byte base64 key (openssl rand -base64 32), the one this vault was created with');
  }
  if (!key) {
    if (config.databaseUrl)
      return fail(
        name,
        'not set (a shared database needs the same key on every instance)',
        'set NEXUS_MASTER_KEY or NEXUS_MASTER_KEY_FILE',
      );
    if (check)
      return fail(
        name,
        `the vault is sealed but ${file} is missing`,
        `restore ${file} from your backup, or set NEXUS_MASTER_KEY_FILE to it`,
      );
    return warn(
      name,
      `none yet: \`nexus serve\` generates ${file} at first start`,
      'back that file up once it exists; the vault cannot be opened without it',
    );
  }
  if (check && !opensKeyCheck(key, check)) {
    return fail(
      name,
      `the key from ${source} does not open this vault`,
      'use the key this vault was created with (NEXUS_MASTER_KEY / NEXUS_MASTER_KEY_FILE)',
    );
  }
  if (source === file && (statSync(file).mode & 0o077) !== 0) return warn(name, `${file} is readable by other users`, `chmod 600 ${file}`);
  return ok(name, check ? `from ${source}; opens the vault` : `from ${source}; the vault is not initialised yet`);
}

async function redisCheck(config: Config, timeoutMs: number): Promise<CheckResult> {
  if (!config.redisUrl) return ok('redis', 'not configured: limits, cache and tokens are kept in process');
  const where = redactRedisUrl(config.redisUrl);
  const fix = 'check REDIS_URL and that Redis accepts connections from here (while it is down, limits follow NEXUS_RATE_LIMIT_FAIL_MODE)';
  let client: RedisClient | undefined;
  try {
    client = openRedis(config.redisUrl, { log: silentLogger, connectTimeoutMs: timeoutMs, commandTimeoutMs: timeoutMs });
    const c = client;
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        if (c.status === 'ready') return resolve();
        c.once('ready', () => resolve());
        c.once('error', (e: unknown) => reject(e));
      }),
      timeoutMs,
      'redis',
    );
    await c.ping();
    return ok('redis', `${where} answers PING`);
  } catch (e) {
    return fail('redis', `${where}: ${message(e)}`, fix);
  } finally {
    client?.disconnect();
  }
}

interface BackendUse {
  readonly backend: BackendSpec;
  readonly files: string[];
}

/** One entry per distinct (origin, TLS, proxy): each is a different way of connecting. */
function distinctBackends(tools: readonly ToolSpec[]): BackendUse[] {
  const byKey = new Map<string, BackendUse>();
  for (const t of tools) {
    const b = t.backend;
    const key = JSON.stringify([b.baseUrl.origin, b.tls ?? null, b.proxy ?? null]);
    const use = byKey.get(key) ?? { backend: b, files: [] };
    if (!use.files.includes(t.source.file)) use.files.push(t.source.file);
    byKey.set(key, use);
  }
  return [...byKey.values()];
}

// What to change for each reason the HTTP invoker reports (details.reason).
const BACKEND_FIX: Record<UnreachableReason, string> = {
  dns: 'correct the host in base_url, or the DNS this machine uses',
  refused: 'start the backend, or correct the port in base_url',
  tls_untrusted: "set the backend's tls.ca_file, or NEXUS_CA_FILE, to the CA that issued its certificate",
  tls_expired: 'renew the certificate on the backend',
  tls_hostname: 'use a host name the certificate names in base_url',
  tls_handshake: 'configure tls.cert_file and tls.key_file if it requires a client certificate; check the port speaks TLS',
  proxy_unreachable: 'check proxy: / HTTPS_PROXY / HTTP_PROXY',
  proxy_refused: "check the proxy's credentials and that it allows this host",
  tls: 'check the TLS settings of the backend (tls.ca_file, cert_file, key_file) and NEXUS_CA_FILE',
  network: 'check base_url and the network path to it',
};

async function backendCheck(use: BackendUse, config: Config, timeoutMs: number): Promise<CheckResult> {
  const b = use.backend;
  const name = `backend ${b.baseUrl.origin}`;
  const where = `in ${use.files.join(', ')}`;
  const proxy = proxyFor(b.baseUrl, b.proxy, config);
  if (!proxy && !isIP(b.baseUrl.hostname.replace(/^\[|\]$/g, ''))) {
    try {
      await withTimeout(lookup(b.baseUrl.hostname), timeoutMs, 'DNS');
    } catch (e) {
      return fail(
        name,
        `${b.baseUrl.hostname} does not resolve (${(e as { code?: string }).code ?? message(e)})`,
        `${BACKEND_FIX.dns} (${where})`,
      );
    }
  }
  const probe: BackendSpec = { ...b, timeoutMs, maxResponseBytes: 64 * 1024 };
  try {
    const res = await send({ method: 'HEAD', url: b.baseUrl, headers: new Headers() }, probe, {
      proxies: config,
      ...(config.caFile && { caFile: config.caFile }),
    });
    return ok(name, `answers (HTTP ${res.status})${proxy ? ' via proxy' : ''}`);
  } catch (e) {
    const err = e instanceof NexusError ? e : new NexusError('UPSTREAM_UNREACHABLE', message(e));
    if (err.code === 'UPSTREAM_ERROR') return ok(name, `answers (${err.message})`);
    if (err.code === 'UPSTREAM_TIMEOUT')
      return fail(name, `no answer within ${timeoutMs / 1000}s`, `check base_url, firewalls and HTTPS_PROXY / NO_PROXY (${where})`);
    if (err.code === 'INVALID_CONFIG')
      return fail(name, err.message, `correct tls.ca_file / cert_file / key_file (${where}) or NEXUS_CA_FILE`);
    const reason = unreachableReason(err) ?? 'network';
    return fail(name, err.message, `${BACKEND_FIX[reason]} (${where})`);
  }
}

async function bindCheck(config: Config, db: Db | undefined, applied: Set<string>): Promise<CheckResult> {
  const oauth = !!oauthConfigOf(config);
  const keys = db && applied.has('002_keys') ? await createKeyService(db).hasAnyKey() : false;
  try {
    const policy = assertBindPolicy({
      host: config.host,
      authConfigured: oauth || keys,
      allowInsecure: config.allowUnauthenticated,
    });
    if (!policy.notice) return ok('bind', `${config.host}: callers need ${oauth ? 'an OAuth token' : 'a client key'}`);
    return !isLoopback(config.host)
      ? warn(
          'bind',
          policy.notice,
          'create a client key (nexus keys create NAME) or configure OAuth, then unset NEXUS_ALLOW_UNAUTHENTICATED',
        )
      : ok('bind', policy.notice);
  } catch (e) {
    const [refusal, fix] = message(e).split(/: (.*)/s);
    return fail('bind', refusal!, fix || 'create a client key, configure OAuth, or bind 127.0.0.1');
  }
}

/** One line per check; warn and FAIL lines are followed by an indented `fix:` line. */
export function formatResults(results: readonly CheckResult[]): string {
  const w = Math.max(...results.map((r) => r.check.length));
  const lines = results.flatMap((r) => [
    `${r.status.padEnd(4)}  ${r.check.padEnd(w)}  ${r.detail}`,
    ...(r.fix ? [`      fix: ${r.fix}`] : []),
  ]);
  const count = (s: CheckStatus) => results.filter((r) => r.status === s).length;
  return `${lines.join('\n')}\n\n${count('FAIL')} FAIL, ${count('warn')} warn, ${count('ok')} ok\n`;
}

export const doctorCommand: Command = {
  name: 'doctor',
  help: `Usage: nexus doctor [flags]

Checks, with the settings \`nexus serve\` would use: the configuration; the tool files; the store
(SQLite file or PostgreSQL) and its migrations; that the master key opens the vault (the key is never
printed); Redis when REDIS_URL is set (password masked); that every backend host resolves and answers
within 3 seconds through its TLS and proxy settings; and the bind policy. Prints one line per check
(ok, warn or FAIL) with a fix for each problem. Creates nothing. Exits 1 when any check FAILs.

${settingsHelp(['toolsDir', 'dataDir', 'databaseUrl', 'redisUrl', 'host', 'port', 'caFile', 'masterKey', 'masterKeyFile'])}

Example:
  nexus doctor --tools /etc/nexus/tools --data-dir /var/lib/nexus`,
  async run(io) {
    const results = await diagnose(io);
    io.stdout(formatResults(results));
    return results.some((r) => r.status === 'FAIL') ? 1 : 0;
  },
};
