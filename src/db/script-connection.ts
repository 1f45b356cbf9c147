// A connection of Bun's own Redis client that only runs Lua scripts: the shared limiter's one script
// run per event-loop turn. A round trip costs it about a third of the CPU ioredis spends (parsing and
// encoding happen in native code), and that round trip is on every rate-limited call. One server only
// (redis://, rediss://): Sentinel and Cluster stay on ioredis, and so does everything else.
// The same promises as openRedis (redis.ts): every run has a bounded timeout, nothing is queued while
// disconnected (a run fails at once, callers fail open or closed), and reconnects back off up to
// maxBackoffMs. A run that times out drops the connection: a server that stopped answering would
// otherwise collect every later run until it answers again; the next connection starts clean.
import { RedisClient } from 'bun';
import { NexusError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { registerSecret } from '../util/redact.ts';
import { createOutageLog, type LuaScript, parseRedisUrl, type RedisOpenOptions, type RunScript, redactRedisUrl } from './redis.ts';

export interface ScriptConnection {
  readonly run: RunScript;
  /** Whether the connection is up (runs are being sent). */
  readonly connected: () => boolean;
  /** Resolves once connected, rejects (UNAVAILABLE) after timeoutMs. */
  ready(timeoutMs?: number): Promise<void>;
  close(): void;
}

export type ScriptConnectionOptions = Pick<RedisOpenOptions, 'commandTimeoutMs' | 'connectTimeoutMs' | 'maxBackoffMs'> & { log: Logger };

/** A script connection to the server of url, or undefined for Sentinel and Cluster URLs. */
export function openScriptConnection(url: string, opts: ScriptConnectionOptions): ScriptConnection | undefined {
  const target = parseRedisUrl(url);
  if (target.mode !== 'server') return undefined;
  if (target.password) registerSecret(target.password);
  const timeoutMs = opts.commandTimeoutMs ?? 250;
  const maxBackoff = opts.maxBackoffMs ?? 2000;
  const where = redactRedisUrl(url);
  const outage = createOutageLog(opts.log, 30_000);
  const client = new RedisClient(url.trim(), {
    enableOfflineQueue: false,
    autoReconnect: false, // reconnects are ours: Bun's give up after maxRetries
    connectionTimeout: opts.connectTimeoutMs ?? 2000,
    enableAutoPipelining: true,
  });
  let closed = false;
  let failures = 0;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let up = () => {};
  const first = new Promise<void>((r) => (up = r));
  const connect = () => {
    retry = undefined;
    client.connect().then(
      () => {
        up();
        if (failures > 0) opts.log.info('redis reconnected', { redis: where });
        failures = 0;
      },
      (e: unknown) => {
        outage(`redis ${where}`, e);
        reconnectLater();
      },
    );
  };
  const reconnectLater = () => {
    if (closed || retry) return;
    failures++;
    const wait = Math.min(50 * 2 ** Math.min(failures, 10), maxBackoff) + Math.floor(Math.random() * 50);
    retry = setTimeout(connect, wait);
    retry.unref?.();
  };
  client.onclose = () => reconnectLater();
  connect();

  async function send(command: 'EVALSHA' | 'EVAL', head: string, keys: readonly string[], args: readonly (string | number)[]) {
    const argv = [head, String(keys.length), ...keys, ...args.map(String)];
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new Error('redis command timed out'));
        client.close(); // onclose reconnects
      }, timeoutMs);
    });
    try {
      return await Promise.race([client.send(command, argv), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  const run: RunScript = async (script: LuaScript, keys, args) => {
    try {
      return await send('EVALSHA', script.sha, keys, args);
    } catch (e) {
      if (!(e instanceof Error) || !e.message.startsWith('NOSCRIPT')) throw e;
      return await send('EVAL', script.lua, keys, args);
    }
  };

  return {
    run,
    connected: () => client.connected,
    ready: (ms = 5000) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new NexusError('UNAVAILABLE', 'redis not ready')), ms);
      });
      return Promise.race([first, late]).finally(() => clearTimeout(timer));
    },
    close: () => {
      closed = true;
      clearTimeout(retry);
      client.close();
    },
  };
}
