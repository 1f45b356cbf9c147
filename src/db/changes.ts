// Announcements that something in the store changed (a key revoked, a credential replaced), so every
// instance drops what it keeps in memory at once instead of at its next re-read, even an instance
// that cannot reach the store at that moment. Over Redis pub/sub when Redis is configured; in process
// otherwise (one instance, or a store every instance re-reads within a second anyway).
import type { Logger } from '../log.ts';
import type { RedisClient } from './redis.ts';

export type ChangeTopic = 'key-created' | 'key-revoked' | 'credential';

export interface Changes {
  /** Best effort: an instance that misses it still re-reads within a second. */
  announce(topic: ChangeTopic, item: string): void;
  on(topic: ChangeTopic, fn: (item: string) => void): void;
  /** Whether announcements are heard right now (the subscription is up). */
  listening(): boolean;
}

export function createLocalChanges(): Changes {
  const handlers = new Map<ChangeTopic, Array<(item: string) => void>>();
  return {
    announce: (topic, item) => {
      for (const fn of handlers.get(topic) ?? []) fn(item);
    },
    on: (topic, fn) => void handlers.set(topic, [...(handlers.get(topic) ?? []), fn]),
    listening: () => true,
  };
}

export function createRedisChanges(opts: { redis: RedisClient; subscriber: RedisClient; prefix: string; log: Logger }): Changes {
  const channel = `${opts.prefix}changes`;
  const local = createLocalChanges();
  let listening = false;
  const { subscriber: sub } = opts;
  sub.on('message', (ch: string, message: string) => {
    if (ch !== channel) return;
    const at = message.indexOf('\n');
    if (at > 0) local.announce(message.slice(0, at) as ChangeTopic, message.slice(at + 1));
  });
  // commands are not queued while disconnected: subscribe each time the connection is ready
  const listen = () =>
    sub.subscribe(channel).then(
      () => void (listening = true),
      (e: unknown) => opts.log.warn('cannot subscribe to store changes', { err: e }),
    );
  sub.on('ready', () => void listen());
  sub.on('close', () => void (listening = false));
  if (sub.status === 'ready') void listen();
  return {
    announce(topic, item) {
      local.announce(topic, item); // this instance at once, without the round trip
      opts.redis.publish(channel, `${topic}\n${item}`).catch((e: unknown) => opts.log.warn('cannot announce a store change', { err: e }));
    },
    on: local.on,
    listening: () => listening,
  };
}
