// Redis client for shared limits, cache and coalescing: a request never waits on Redis for long.
//
// REDIS_URL forms:
//   redis://[[user]:password@]host:port[/db]                      one server
//   rediss://[[user]:password@]host:port[/db]                     one server over TLS
//   redis-sentinel://[:password@]host1:port,host2:port/master[/db] Sentinel; password is the master's
//   redis-cluster://[:password@]host1:port,host2:port             Cluster (seed nodes; no db)
//   rediss-sentinel://..., rediss-cluster://...                   the same over TLS
// Every command has a bounded timeout (default 250ms), nothing is queued while disconnected
// (commands fail at once, callers fail open or closed), and reconnects back off up to maxBackoffMs.
import { createHash } from 'node:crypto';
import type { Cluster, Redis, RedisOptions } from 'ioredis';

// Loaded only when Redis is configured: the embedded mode never pays for the client (~15 MB)
const ioredis = () => require('ioredis') as typeof import('ioredis');

import { NexusError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { registerSecret } from '../util/redact.ts';

export type RedisClient = Redis | Cluster;

export interface RedisOpenOptions {
  log: Logger;
  commandTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Upper bound of the reconnect backoff (default 2000ms). */
  maxBackoffMs?: number;
  /**
   * Commands issued in the same tick go out in one write (ioredis auto-pipelining): under load, one
   * socket write per command was the largest cost of a shared-mode call. Not for a subscriber.
   */
  autoPipelining?: boolean;
}

export interface RedisTarget {
  mode: 'server' | 'sentinel' | 'cluster';
  tls: boolean;
  hosts: { host: string; port: number }[];
  username?: string;
  password?: string;
  db?: number;
  master?: string;
}

const URL_SHAPE = /^(rediss?)(?:-(sentinel|cluster))?:\/\/(?:([^@/]*)@)?([^/?#]+)(?:\/([^?#]*))?$/;

/** Parses a REDIS_URL; throws INVALID_CONFIG (with the password masked) when it is not one. */
export function parseRedisUrl(url: string): RedisTarget {
  const bad = (why: string) => new NexusError('INVALID_CONFIG', `REDIS_URL ${redactRedisUrl(url)}: ${why}`);
  const m = URL_SHAPE.exec(url.trim());
  if (!m) throw bad('expected redis://, rediss://, redis-sentinel:// or redis-cluster://');
  const [, scheme, kind, userinfo, hostList, path = ''] = m;
  const mode = kind === 'sentinel' ? 'sentinel' : kind === 'cluster' ? 'cluster' : 'server';
  const hosts = hostList!.split(',').map((h) => {
    const hm = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(h);
    if (!hm) throw bad(`bad host "${h}"`);
    return { host: hm[1]!.replace(/^\[|\]$/g, ''), port: Number(hm[2] ?? (mode === 'sentinel' ? 26379 : 6379)) };
  });
  if (mode === 'server' && hosts.length !== 1) throw bad('one host expected (use redis-sentinel:// or redis-cluster://)');
  const target: RedisTarget = { mode, tls: scheme === 'rediss', hosts };
  if (userinfo) {
    const i = userinfo.indexOf(':');
    const user = decodeURIComponent(i < 0 ? userinfo : userinfo.slice(0, i));
    if (user) target.username = user;
    if (i >= 0) target.password = decodeURIComponent(userinfo.slice(i + 1));
  }
  const parts = path.split('/').filter(Boolean);
  if (mode === 'sentinel') {
    if (!parts[0]) throw bad('the master name is missing (redis-sentinel://host:port/mymaster)');
    target.master = parts.shift()!;
  }
  if (parts.length > 1 || (mode === 'cluster' && parts.length)) throw bad('unexpected path');
  if (parts[0] !== undefined) {
    if (!/^\d+$/.test(parts[0])) throw bad('the database must be a number');
    target.db = Number(parts[0]);
  }
  return target;
}

/** The URL with any password replaced by `***`, safe for logs and messages. */
export function redactRedisUrl(url: string): string {
  return url.replace(/^([a-z-]+:\/\/)([^@/]*:)[^@/]*@/i, '$1$2***@');
}

export function openRedis(url: string, opts: RedisOpenOptions): RedisClient {
  const t = parseRedisUrl(url);
  if (t.password) registerSecret(t.password);
  const maxBackoff = opts.maxBackoffMs ?? 2000;
  const backoff = (times: number) => Math.min(50 * 2 ** Math.min(times, 10), maxBackoff) + Math.floor(Math.random() * 50);
  const common: RedisOptions = {
    commandTimeout: opts.commandTimeoutMs ?? 250,
    connectTimeout: opts.connectTimeoutMs ?? 2000,
    maxRetriesPerRequest: 1,
    ...(opts.autoPipelining && { enableAutoPipelining: true }),
    ...(t.username && { username: t.username }),
    ...(t.password && { password: t.password }),
    ...(t.tls && { tls: {} }),
  };
  let client: RedisClient;
  if (t.mode === 'cluster') {
    client = new (ioredis().Cluster)(t.hosts, {
      enableOfflineQueue: false,
      clusterRetryStrategy: backoff,
      redisOptions: common,
      ...(opts.autoPipelining && { enableAutoPipelining: true }),
    });
  } else {
    client = new (ioredis().Redis)({
      ...common,
      enableOfflineQueue: false,
      retryStrategy: backoff,
      ...(t.db !== undefined && { db: t.db }),
      ...(t.mode === 'sentinel'
        ? { sentinels: t.hosts, name: t.master!, ...(t.tls && { enableTLSForSentinelMode: true }) }
        : { host: t.hosts[0]!.host, port: t.hosts[0]!.port }),
    });
  }
  const where = redactRedisUrl(url);
  const outage = createOutageLog(opts.log, 30_000);
  let down = false;
  client.on('error', (e: unknown) => {
    down = true;
    outage(`redis ${where}`, e);
  });
  client.on('ready', () => {
    if (down) opts.log.info('redis reconnected', { redis: where });
    down = false;
  });
  return client;
}

/** Resolves when the client is ready, rejects (UNAVAILABLE) after timeoutMs. */
export function redisReady(client: RedisClient, timeoutMs = 5000): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      client.off('ready', done);
      reject(new NexusError('UNAVAILABLE', 'redis not ready'));
    }, timeoutMs);
    client.once('ready', done);
  });
}

/** Reports a failing dependency at most once per everyMs, saying how many reports it held back. */
export function createOutageLog(log: Logger, everyMs: number): (what: string, err: unknown) => void {
  let last = -Infinity;
  let held = 0;
  return (what, err) => {
    const now = Date.now();
    if (now - last < everyMs) {
      held++;
      return;
    }
    log.warn(`${what} unavailable`, { error: err instanceof Error ? err.message : String(err), suppressed: held });
    last = now;
    held = 0;
  };
}

export interface LuaScript {
  readonly lua: string;
  readonly sha: string;
}

export const luaScript = (lua: string): LuaScript => ({ lua, sha: createHash('sha1').update(lua).digest('hex') });

/** Runs a script over some connection: runScript below (ioredis) or script-connection.ts (Bun's client). */
export type RunScript = (script: LuaScript, keys: readonly string[], args: readonly (string | number)[]) => Promise<unknown>;

/** EVALSHA, loading the script with EVAL when the server does not know it yet (first use, restart). */
export async function runScript(
  redis: RedisClient,
  script: LuaScript,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown> {
  try {
    return await redis.evalsha(script.sha, keys.length, ...keys, ...args);
  } catch (e) {
    if (!(e instanceof Error) || !e.message.startsWith('NOSCRIPT')) throw e;
    return await redis.eval(script.lua, keys.length, ...keys, ...args);
  }
}
