// Opens the stateful services behind the gateway: the store (SQLite or PostgreSQL), Redis when
// configured, the vault, tokens, limits, response cache, client keys, auth and audit. Each port gets its
// embedded or shared implementation here and nowhere else.

import type { AuditExport } from './audit/export.ts';
import { openAuditExport } from './audit/export-open.ts';
import { startAuditRetention } from './audit/retention.ts';
import { type AuditSink, createAuditSink } from './audit/sink.ts';
import { openAuditSpool, replayAuditSpools, spoolDir } from './audit/spool.ts';
import { type AuditStore, createAuditStore } from './audit/store.ts';
import { createThreadAuditStore } from './audit/thread-store.ts';
import { createJwtVerifier, type JwtVerifier, oauthConfigOf } from './auth/jwt.ts';
import { createKeyService, type KeyService } from './auth/keys.ts';
import { type AccessRules, rulesOf } from './auth/rules.ts';
import { createCoalescer } from './cache/coalesce.ts';
import { createRedisFlightLock } from './cache/flight-lock.ts';
import { createMemoryCache } from './cache/memory.ts';
import { createRedisCache } from './cache/redis.ts';
import { createResponseCacheService, type ResponseCacheService } from './cache/service.ts';
import type { Config } from './config/config.ts';
import { createRedisChanges } from './db/changes.ts';
import { watchDependencies } from './db/health.ts';
import { migrate } from './db/migrate.ts';
import { openDb, sqliteFile } from './db/open.ts';
import { openRedis, type RedisClient, redisReady } from './db/redis.ts';
import { openScriptConnection, type ScriptConnection } from './db/script-connection.ts';
import { createRedisSessionRelay, type SessionRelay } from './db/session-relay.ts';
import type { Db } from './db/types.ts';
import { createGuardedLimiter } from './limiter/guarded.ts';
import { createMemoryLimiter } from './limiter/memory.ts';
import { createRedisLimiter } from './limiter/redis.ts';
import type { Limiter } from './limiter/types.ts';
import type { Logger } from './log.ts';
import type { Labels, Metrics } from './metrics.ts';
import { NOOP_TRACER, type Tracer } from './trace/tracer.ts';
import { currentMasterKey, loadMasterKey } from './vault/master-key.ts';
import { startKeyRotation } from './vault/rotation.ts';
import { createMemoryTokenCache } from './vault/token-cache.ts';
import { createRedisTokenCache } from './vault/token-cache-redis.ts';
import { TokenManager } from './vault/tokens.ts';
import { Vault } from './vault/vault.ts';

/** How soon credentials stored or deleted elsewhere are masked (or no longer) on this instance. */
const SECRET_INDEX_SYNC_MS = 30_000;

export interface Services {
  readonly db: Db;
  readonly redis?: RedisClient;
  readonly vault: Vault;
  readonly tokens: TokenManager;
  readonly limiter: Limiter;
  readonly responses: ResponseCacheService;
  readonly keys: KeyService;
  readonly jwt?: JwtVerifier;
  readonly rules?: AccessRules;
  readonly auditStore: AuditStore;
  readonly audit: AuditSink;
  /** NEXUS_AUDIT_EXPORT: records also streamed to stdout, a file, syslog or OTLP logs. */
  readonly auditExport?: AuditExport;
  /** With Redis: hands HTTP+SSE messages to the instance holding the session. */
  readonly sessionRelay?: SessionRelay;
  close(): Promise<void>;
}

export interface ServicesOptions {
  readonly config: Config;
  readonly log: Logger;
  readonly metrics: Metrics;
  /** PostgreSQL schema to use (tests give each gateway its own). */
  readonly dbSearchPath?: string;
  /** Redis key prefix (tests give each gateway its own); default `nexus:`. */
  readonly redisPrefix?: string;
  readonly tracer?: Tracer;
  /** The access rules as the start-up checks read them (default: read NEXUS_ACCESS_RULES now). */
  readonly rules?: AccessRules;
}

const REFRESH: Record<'ok' | 'refused' | 'unreachable', Labels> = {
  ok: { outcome: 'ok' },
  refused: { outcome: 'refused' },
  unreachable: { outcome: 'unreachable' },
};

/** The token endpoint request: counted, and a client span with traceparent when tracing. */
function tokenFetch(tracer: Tracer, metrics: Metrics) {
  const counted = async (req: Request) => {
    try {
      const res = await fetch(req);
      metrics.inc('nexus_token_refreshes_total', res.ok ? REFRESH.ok : REFRESH.refused);
      return res;
    } catch (e) {
      metrics.inc('nexus_token_refreshes_total', REFRESH.unreachable);
      throw e;
    }
  };
  if (!tracer.enabled) return counted;
  return (req: Request) =>
    tracer.span(
      'nexus.token.refresh',
      { kind: 'client', attributes: { 'http.request.method': req.method, 'server.address': new URL(req.url).hostname } },
      async (span) => {
        span.inject((k, v) => req.headers.set(k, v));
        const res = await counted(req);
        span.set('http.response.status_code', res.status);
        if (!res.ok) span.fail(String(res.status));
        return res;
      },
    );
}

export async function openServices(opts: ServicesOptions): Promise<Services> {
  const { config, log, metrics } = opts;
  const stops: Array<() => unknown> = [];
  const db = await openDb({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    log,
    timeoutMs: config.dbTimeout,
    ...(opts.dbSearchPath && { searchPath: opts.dbSearchPath }),
  });
  stops.push(() => db.close());
  try {
    await migrate(db, log);
    const masterKey = loadMasterKey(config, log);
    const prefix = opts.redisPrefix ?? 'nexus:';
    let redis: RedisClient | undefined;
    let subscriber: RedisClient | undefined;
    let scripts: ScriptConnection | undefined; // the limiter's, on one server (not Sentinel or Cluster)
    if (config.redisUrl) {
      redis = openRedis(config.redisUrl, { log, autoPipelining: true });
      subscriber = openRedis(config.redisUrl, { log });
      scripts = openScriptConnection(config.redisUrl, { log });
      stops.push(
        () => redis!.disconnect(),
        () => subscriber!.disconnect(),
        () => scripts?.close(),
      );
      // a fresh instance should not start with limits failing open; wait briefly, never block start-up
      await Promise.all([redisReady(redis, 2000), scripts?.ready(2000)]).catch((e) =>
        log.warn(`Redis not reachable yet; limits fail ${config.rateLimitFailMode} until it is`, { err: e }),
      );
    }
    // a revoked key or a changed credential reaches every instance at once (see db/changes.ts)
    const changes = redis && subscriber ? createRedisChanges({ redis, subscriber, prefix, log }) : undefined;
    const stale = (kind: string) => () => metrics.inc('nexus_store_stale_total', { kind });
    // what was read may stand in for an unreachable store only while a revocation would still be heard
    // (shared: Redis subscribed; embedded: one instance); shared without Redis: never
    const graceMs = changes ? () => (changes.listening() ? config.storeGrace : 0) : config.databaseUrl ? 0 : config.storeGrace;
    const vault = await Vault.open(db, masterKey, {
      log,
      reloadMasterKey: () => currentMasterKey(config),
      graceMs,
      onStale: stale('credential'),
      ...(changes && { changes }),
    });
    stops.push(() => vault.close());
    // credentials another instance (or `nexus vault put`) stored or deleted are masked here within this interval
    const indexSync = setInterval(
      () => void vault.syncSecretIndex().catch((e) => log.warn('secret index sync failed; retried', { err: e })),
      SECRET_INDEX_SYNC_MS,
    );
    indexSync.unref?.();
    stops.push(() => clearInterval(indexSync));
    if (config.keyRotation) stops.push(startKeyRotation(vault, config.keyRotation, log));

    const tokens = new TokenManager({
      vault,
      secrets: vault.secrets,
      // shared mode: one token request per credential across every instance (a PostgreSQL advisory lock)
      ...(config.databaseUrl && { lock: <T>(key: string, fn: () => Promise<T>) => db.withLock(key, () => fn()) }),
      cache: redis ? createRedisTokenCache(redis, masterKey, { prefix: `${prefix}tok:` }) : createMemoryTokenCache(),
      log,
      fetch: tokenFetch(opts.tracer ?? NOOP_TRACER, metrics),
    });
    const limiter = redis
      ? createGuardedLimiter(createRedisLimiter(scripts?.run ?? redis, { prefix }), { mode: config.rateLimitFailMode, log, metrics })
      : createMemoryLimiter();
    const lock = redis && subscriber ? createRedisFlightLock({ redis, subscriber, prefix }) : undefined;
    const sessionRelay = redis && subscriber ? createRedisSessionRelay({ redis, subscriber, prefix, log }) : undefined;
    if (sessionRelay) stops.push(() => sessionRelay.close());
    const responses = createResponseCacheService({
      cache: redis
        ? createRedisCache(redis, { prefix, near: { subscriber: subscriber!, maxBytes: config.nearCacheBytes } })
        : createMemoryCache(),
      coalescer: createCoalescer({ ...(lock && { lock }), log }),
      log,
      metrics,
    });

    const keys = createKeyService(db, { log, graceMs, onStale: stale('key'), ...(changes && { changes }) });
    const oauth = oauthConfigOf(config);
    const rules = opts.rules ?? rulesOf(config);
    const jwt = oauth ? createJwtVerifier(oauth, { ...(rules && { scopes: rules.scopes }) }) : undefined;
    const auditStore = createAuditStore(db);
    // Embedded: the inserts run in a worker thread on a connection of their own that does not wait for
    // the disk on each commit (thread-store.ts, openSqlite); with PostgreSQL they leave the process anyway
    const threadStore = config.databaseUrl ? undefined : createThreadAuditStore(sqliteFile(config.dataDir), auditStore, log);
    if (threadStore) stops.push(() => threadStore.close());
    // what a crash left in a spool goes to the store before this instance records anything
    const spoolAt = spoolDir(config.dataDir);
    await replayAuditSpools(spoolAt, auditStore, log).catch((e) =>
      log.error('audit spool replay failed; it is retried at the next start', { err: e }),
    );
    const spool = openAuditSpool(spoolAt, log);
    const audit = createAuditSink({ store: threadStore ?? auditStore, log, metrics, ...(spool && { spool }) });
    metrics.gauge('nexus_audit_pending', () => audit.pending);
    const auditExport = await openAuditExport(config, log, metrics);
    stops.push(watchDependencies(db, redis, metrics, undefined, scripts));
    const retention = startAuditRetention({ db, log, retentionMs: config.auditRetention });
    stops.push(() => retention.stop());

    return {
      db,
      vault,
      tokens,
      limiter,
      responses,
      keys,
      auditStore,
      audit,
      ...(auditExport && { auditExport }),
      ...(redis && { redis }),
      ...(sessionRelay && { sessionRelay }),
      ...(jwt && { jwt }),
      ...(rules && { rules }),
      async close() {
        await audit.close();
        await auditExport?.close();
        for (const stop of stops.reverse()) await Promise.resolve(stop()).catch(() => {});
      },
    };
  } catch (e) {
    for (const stop of stops.reverse()) await Promise.resolve(stop()).catch(() => {});
    throw e;
  }
}
