// Static settings in one table, one row per setting: flag, then env, then default. `Config` (config.ts)
// is derived from it, every command's --help is built from it, and a test checks the README lists it.
import { parseDuration } from '../util/duration.ts';

export type SettingKind = 'string' | 'int' | 'duration' | 'list' | 'bool' | 'enum';

export interface SettingDef {
  readonly key: string;
  readonly flag?: string;
  readonly env: string;
  /** Other environment names read when `env` is unset (lower-case proxy variables). */
  readonly aliases?: readonly string[];
  readonly kind: SettingKind;
  readonly default?: string;
  readonly values?: readonly string[];
  readonly doc: string;
  /** Secret settings are never echoed in errors or `doctor` output. */
  readonly secret?: boolean;
}

export const SETTINGS = [
  { key: 'port', flag: 'port', env: 'NEXUS_PORT', kind: 'int', default: '8080', doc: 'TCP port to listen on (0 picks a free one)' },
  {
    key: 'host',
    flag: 'host',
    env: 'NEXUS_HOST',
    kind: 'string',
    default: '127.0.0.1',
    doc: 'Address to bind; non-loopback needs authentication',
  },
  {
    key: 'toolsDir',
    flag: 'tools',
    env: 'NEXUS_TOOLS_DIR',
    kind: 'string',
    default: './tools',
    doc: 'Directory of tool YAML files (watched)',
  },
  {
    key: 'dataDir',
    flag: 'data-dir',
    env: 'NEXUS_DATA_DIR',
    kind: 'string',
    default: './data',
    doc: 'Embedded SQLite vault, generated master key',
  },
  {
    key: 'databaseUrl',
    flag: 'database-url',
    env: 'DATABASE_URL',
    kind: 'string',
    doc: 'PostgreSQL URL; shared vault, keys and audit',
    secret: true,
  },
  { key: 'redisUrl', flag: 'redis-url', env: 'REDIS_URL', kind: 'string', doc: 'Redis URL; shared limits, cache, tokens', secret: true },
  {
    key: 'logLevel',
    flag: 'log-level',
    env: 'LOG_LEVEL',
    kind: 'enum',
    values: ['debug', 'info', 'warn', 'error'],
    default: 'info',
    doc: 'Log level',
  },
  {
    key: 'allowedOrigins',
    flag: 'allowed-origins',
    env: 'NEXUS_ALLOWED_ORIGINS',
    kind: 'list',
    default: '',
    doc: 'Extra browser Origins allowed (comma list; loopback and NEXUS_PUBLIC_URL always allowed)',
  },
  {
    key: 'allowedHosts',
    flag: 'allowed-hosts',
    env: 'NEXUS_ALLOWED_HOSTS',
    kind: 'list',
    default: '',
    doc: 'Host headers accepted besides the bind address (DNS-rebinding guard)',
  },
  {
    key: 'maxRequestBytes',
    flag: 'max-request-bytes',
    env: 'NEXUS_MAX_REQUEST_BYTES',
    kind: 'int',
    default: '1048576',
    doc: 'Largest MCP/REST request body accepted',
  },
  {
    key: 'maxResponseBytes',
    env: 'NEXUS_MAX_RESPONSE_BYTES',
    kind: 'int',
    default: '10485760',
    doc: 'Default cap on a backend answer (per backend: max_response_bytes)',
  },
  { key: 'adminToken', env: 'NEXUS_ADMIN_TOKEN', kind: 'string', doc: 'Bearer token for /admin APIs (unset: admin API off)', secret: true },
  {
    key: 'nearCacheBytes',
    env: 'NEXUS_CACHE_NEAR_BYTES',
    kind: 'int',
    default: '16777216',
    doc: 'With Redis: memory each instance keeps for cached answers it has seen (0: every hit asks Redis)',
  },
  {
    key: 'rateLimitFailMode',
    env: 'NEXUS_RATE_LIMIT_FAIL_MODE',
    kind: 'enum',
    values: ['open', 'closed'],
    default: 'open',
    doc: 'When Redis is down: let calls through (open) or refuse them (closed)',
  },
  { key: 'callerRateLimit', env: 'NEXUS_CALLER_RATE_LIMIT', kind: 'string', doc: 'Gateway-wide per-caller limit, e.g. 600/1m' },
  { key: 'sessionRateLimit', env: 'NEXUS_SESSION_RATE_LIMIT', kind: 'string', doc: 'Per-session limit, e.g. 120/1m' },
  {
    key: 'drainTimeout',
    env: 'NEXUS_DRAIN_TIMEOUT',
    kind: 'duration',
    default: '30s',
    doc: 'On SIGTERM, how long in-flight calls may finish',
  },
  {
    key: 'sseMaxSessions',
    env: 'NEXUS_SSE_MAX_SESSIONS',
    kind: 'int',
    default: '1000',
    doc: 'HTTP+SSE (2024-11-05) sessions open at once on one instance; more are refused with 503',
  },
  {
    key: 'backendConcurrency',
    env: 'NEXUS_BACKEND_CONCURRENCY',
    kind: 'int',
    default: '64',
    doc: 'Calls in flight to one backend at once (per backend: max_concurrency); more are refused at once with 503',
  },
  {
    key: 'maxOutbound',
    env: 'BUN_CONFIG_MAX_HTTP_REQUESTS',
    kind: 'int',
    default: '256',
    doc: "The runtime's cap on concurrent outbound requests, read at process start; Nexus admits 16 fewer backend calls in total",
  },
  {
    key: 'backendRetries',
    env: 'NEXUS_BACKEND_RETRIES',
    kind: 'int',
    default: '2',
    doc: 'Retries of an idempotent call on connection failure, 502, 503, 504 (jittered backoff, within its timeout)',
  },
  {
    key: 'breakerThreshold',
    env: 'NEXUS_BREAKER_THRESHOLD',
    kind: 'int',
    default: '5',
    doc: "Consecutive failures that open a backend's circuit breaker (0: off)",
  },
  {
    key: 'breakerCooldown',
    env: 'NEXUS_BREAKER_COOLDOWN',
    kind: 'duration',
    default: '10s',
    doc: 'How long an open breaker refuses calls before one probe call is let through',
  },
  {
    key: 'shutdownDelay',
    env: 'NEXUS_SHUTDOWN_DELAY',
    kind: 'duration',
    default: '5s',
    doc: 'On SIGTERM, how long /readyz answers 503 (still serving) before the drain starts',
  },
  {
    key: 'bodyTimeout',
    env: 'NEXUS_BODY_TIMEOUT',
    kind: 'duration',
    default: '15s',
    doc: 'Time allowed to receive a request body on /mcp and /api (slower clients get 408)',
  },
  {
    key: 'metricsToken',
    env: 'NEXUS_METRICS_TOKEN',
    kind: 'string',
    doc: 'Bearer token required on /metrics (unset: /metrics is open, subject to the Host/Origin guard)',
    secret: true,
  },
  {
    key: 'dbTimeout',
    env: 'NEXUS_DB_TIMEOUT',
    kind: 'duration',
    default: '2s',
    doc: 'Longest wait for PostgreSQL (a statement, a connection); then the caller gets a prompt 503',
  },
  {
    key: 'storeGrace',
    env: 'NEXUS_STORE_GRACE',
    kind: 'duration',
    default: '5m',
    doc: 'While the store does not answer, client keys and credentials read this recently are still used (0: never)',
  },
  { key: 'caFile', env: 'NEXUS_CA_FILE', kind: 'string', doc: 'Extra CA bundle (PEM) trusted for every backend' },
  {
    key: 'publicUrl',
    env: 'NEXUS_PUBLIC_URL',
    kind: 'string',
    doc: 'Public URL clients use (OAuth metadata, OpenAPI servers), e.g. https://nexus.corp',
  },
  {
    key: 'masterKey',
    env: 'NEXUS_MASTER_KEY',
    kind: 'string',
    doc: 'Vault master key, base64 of 32 bytes (or NEXUS_MASTER_KEY_FILE)',
    secret: true,
  },
  {
    key: 'masterKeyFile',
    env: 'NEXUS_MASTER_KEY_FILE',
    kind: 'string',
    doc: 'File holding the master key; embedded mode generates <data dir>/master.key',
  },
  {
    key: 'keyRotation',
    env: 'NEXUS_KEY_ROTATION',
    kind: 'duration',
    doc: 'Rotate the key-encryption key this often, e.g. 30d (one instance does it)',
  },
  { key: 'oauthIssuer', env: 'NEXUS_OAUTH_ISSUER', kind: 'string', doc: 'OAuth 2.1 issuer whose access tokens are accepted' },
  { key: 'oauthAudience', env: 'NEXUS_OAUTH_AUDIENCE', kind: 'string', doc: 'Required token audience (this gateway)' },
  { key: 'oauthJwksUrl', env: 'NEXUS_OAUTH_JWKS_URL', kind: 'string', doc: 'JWKS URL (default: discovered from the issuer)' },
  { key: 'accessRules', env: 'NEXUS_ACCESS_RULES', kind: 'string', doc: 'YAML rules mapping token claims to tool patterns' },
  { key: 'auditRetention', env: 'NEXUS_AUDIT_RETENTION', kind: 'duration', default: '30d', doc: 'How long audit records are kept' },
  {
    key: 'auditExport',
    env: 'NEXUS_AUDIT_EXPORT',
    kind: 'list',
    default: '',
    doc: 'Also stream audit records to: stdout, file:PATH, syslog+udp|tcp|tls://HOST:PORT, otlp (comma list)',
  },
  {
    key: 'auditExportQueue',
    env: 'NEXUS_AUDIT_EXPORT_QUEUE',
    kind: 'int',
    default: '10000',
    doc: 'Audit records each export target may hold while it falls behind; beyond, dropped and counted',
  },
  {
    key: 'otelEndpoint',
    env: 'OTEL_EXPORTER_OTLP_ENDPOINT',
    kind: 'string',
    doc: 'OpenTelemetry collector base URL (OTLP/HTTP), e.g. http://127.0.0.1:4318; unset: tracing off',
  },
  {
    key: 'otelHeaders',
    env: 'OTEL_EXPORTER_OTLP_HEADERS',
    kind: 'string',
    doc: 'Headers sent to the collector, k=v comma list (e.g. an API key)',
    secret: true,
  },
  { key: 'otelServiceName', env: 'OTEL_SERVICE_NAME', kind: 'string', default: 'nexus', doc: 'service.name of spans and logs' },
  {
    key: 'otelSampler',
    env: 'OTEL_TRACES_SAMPLER',
    kind: 'enum',
    values: ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'],
    default: 'parentbased_always_on',
    doc: 'Which requests are traced',
  },
  { key: 'otelSamplerArg', env: 'OTEL_TRACES_SAMPLER_ARG', kind: 'string', doc: 'Sampler argument: the ratio for traceidratio, e.g. 0.1' },
  {
    key: 'otelTracesProtocol',
    env: 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL',
    kind: 'enum',
    values: ['http/protobuf', 'http/json'],
    default: 'http/protobuf',
    doc: 'Encoding of the span export (the OTLP spec default); http/json is three times the bytes and costs more CPU',
  },
  {
    key: 'otelBspScheduleDelay',
    env: 'OTEL_BSP_SCHEDULE_DELAY',
    kind: 'int',
    default: '1000',
    doc: 'Milliseconds a finished span may wait before its batch is exported',
  },
  {
    key: 'otelBspMaxExportBatchSize',
    env: 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE',
    kind: 'int',
    default: '2048',
    doc: 'Spans per export request (one request per ~290 calls at the default)',
  },
  {
    key: 'otelBspMaxQueueSize',
    env: 'OTEL_BSP_MAX_QUEUE_SIZE',
    kind: 'int',
    default: '8192',
    doc: 'Finished spans held while the collector is slow; beyond, spans are dropped (calls never wait)',
  },
  {
    key: 'allowUnauthenticated',
    env: 'NEXUS_ALLOW_UNAUTHENTICATED',
    kind: 'bool',
    default: 'false',
    doc: 'true (or 1, yes, on) serves a non-loopback address without authentication',
  },
  {
    key: 'newMasterKey',
    env: 'NEXUS_NEW_MASTER_KEY',
    kind: 'string',
    doc: 'nexus vault rotate-master: the new master key, base64 of 32 bytes',
    secret: true,
  },
  { key: 'newMasterKeyFile', env: 'NEXUS_NEW_MASTER_KEY_FILE', kind: 'string', doc: 'nexus vault rotate-master: file holding the new key' },
  {
    key: 'httpProxy',
    env: 'HTTP_PROXY',
    aliases: ['http_proxy'],
    kind: 'string',
    doc: "Forward proxy for backend calls (a backend's own proxy: wins)",
    secret: true,
  },
  {
    key: 'httpsProxy',
    env: 'HTTPS_PROXY',
    aliases: ['https_proxy'],
    kind: 'string',
    doc: 'Forward proxy for https backends (default: HTTP_PROXY)',
    secret: true,
  },
  { key: 'noProxy', env: 'NO_PROXY', aliases: ['no_proxy'], kind: 'string', doc: 'Hosts called directly, comma list (.corp, *)' },
  { key: 'debug', env: 'NEXUS_DEBUG', kind: 'bool', default: 'false', doc: 'CLI: print the stack of an unexpected error' },
  {
    key: 'discovery',
    flag: 'discovery',
    env: 'NEXUS_DISCOVERY',
    kind: 'bool',
    default: 'false',
    doc: 'On /mcp, serve search_tools, describe_tool and call_tool instead of listing every tool',
  },
] as const satisfies readonly SettingDef[];

export type SettingRow = (typeof SETTINGS)[number];
export type SettingKey = SettingRow['key'];

/** The default of a setting as written in the table (for messages such as "no ./tools directory"). */
export function settingDefault<K extends Extract<SettingRow, { default: string }>['key']>(key: K): string {
  return (SETTINGS as readonly SettingDef[]).find((d) => d.key === key)!.default!;
}

/** Spellings every boolean setting accepts, everywhere. */
export const TRUE_WORDS = ['1', 'true', 'yes', 'on'] as const;
export const FALSE_WORDS = ['0', 'false', 'no', 'off'] as const;

/** Converts one raw string to its typed value, or returns an error message. */
export function parseSetting(def: SettingDef, raw: string): { value: unknown } | { error: string } {
  switch (def.kind) {
    case 'int': {
      const n = Number(raw);
      return Number.isInteger(n) && n >= 0 ? { value: n } : { error: `expected a whole number, got "${raw}"` };
    }
    case 'duration': {
      const ms = parseDuration(raw);
      return ms === undefined ? { error: `expected a duration like 30s or 5m, got "${raw}"` } : { value: ms };
    }
    case 'list':
      return {
        value: raw
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      };
    case 'bool': {
      const word = raw.trim().toLowerCase();
      if ((TRUE_WORDS as readonly string[]).includes(word)) return { value: true };
      if ((FALSE_WORDS as readonly string[]).includes(word)) return { value: false };
      return { error: `expected true or false (${[...TRUE_WORDS, ...FALSE_WORDS].join(', ')}), got "${raw}"` };
    }
    case 'enum':
      return def.values?.includes(raw) ? { value: raw } : { error: `expected one of ${def.values?.join(', ')}, got "${raw}"` };
    default:
      return { value: raw };
  }
}
