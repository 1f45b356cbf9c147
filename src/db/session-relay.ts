// Hands a message to whichever instance holds a session (HTTP+SSE: the POST may land on any instance,
// the answer must leave through the one holding the stream; a 2025-11-25 client's answer to a request
// relayed from an upstream: it must reach the instance holding that request). Over Redis: a session is a key
// `<prefix>sse:<id>` = `<instance>\n<owner>` that expires unless its holder refreshes it, and each
// instance listens on its own channel `<prefix>sse:to:<instance>`. Without Redis there is no relay.
import type { Logger } from '../log.ts';
import type { RedisClient } from './redis.ts';

/** Hands a payload to the instance holding a session (a port; the MCP edge knows nothing of Redis). */
export interface SessionRelay {
  /** This instance holds session `id` for `owner` until release(id); settles once other instances can see it. */
  hold(id: string, owner: string): Promise<void>;
  release(id: string): void;
  /** Sends `payload` to the instance holding `id` for `owner`; false when none does. */
  forward(id: string, owner: string, payload: string): Promise<boolean>;
  /** Payloads other instances forwarded to sessions held here. */
  onForward(fn: (id: string, owner: string, payload: string) => void): void;
}

const TTL_MS = 60_000;

export function createRedisSessionRelay(opts: {
  redis: RedisClient;
  subscriber: RedisClient;
  prefix: string;
  log: Logger;
}): SessionRelay & { close(): Promise<void> } {
  const { redis, subscriber: sub, log } = opts;
  const instance = crypto.randomUUID();
  const key = (id: string) => `${opts.prefix}sse:${id}`;
  const channelOf = (inst: string) => `${opts.prefix}sse:to:${inst}`;
  const mine = channelOf(instance);
  const held = new Map<string, string>();
  const handlers: Array<(id: string, owner: string, payload: string) => void> = [];
  const warn = (what: string) => (e: unknown) => log.warn(what, { err: e });

  sub.on('message', (ch: string, message: string) => {
    if (ch !== mine) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(message);
    } catch {
      return;
    }
    if (!Array.isArray(parsed) || parsed.length !== 3 || !parsed.every((p) => typeof p === 'string')) return;
    const [id, owner, payload] = parsed as [string, string, string];
    for (const fn of handlers) fn(id, owner, payload);
  });
  const listen = () => sub.subscribe(mine).catch(warn('cannot subscribe to relayed HTTP+SSE messages'));
  sub.on('ready', () => void listen());
  if (sub.status === 'ready') void listen();

  const write = (id: string, owner: string) =>
    redis.set(key(id), `${instance}\n${owner}`, 'PX', TTL_MS).catch(warn('cannot record an HTTP+SSE session in Redis'));
  // keys of live sessions are rewritten well before they expire; a crashed instance's expire alone
  const refresh = setInterval(() => {
    for (const [id, owner] of held) void write(id, owner);
  }, TTL_MS / 3);
  refresh.unref?.();

  return {
    async hold(id, owner) {
      held.set(id, owner);
      await write(id, owner);
    },
    release(id) {
      if (!held.delete(id)) return;
      redis.del(key(id)).catch(warn('cannot remove an HTTP+SSE session from Redis'));
    },
    async forward(id, owner, payload) {
      const entry = await redis.get(key(id));
      if (!entry) return false;
      const at = entry.indexOf('\n');
      const holder = entry.slice(0, at);
      if (at < 0 || entry.slice(at + 1) !== owner || holder === instance) return false;
      return (await redis.publish(channelOf(holder), JSON.stringify([id, owner, payload]))) > 0;
    },
    onForward(fn) {
      handlers.push(fn);
    },
    async close() {
      clearInterval(refresh);
      const ids = [...held.keys()];
      held.clear();
      if (ids.length) await redis.del(...ids.map(key)).catch(() => {});
      await sub.unsubscribe(mine).catch(() => {});
    },
  };
}
