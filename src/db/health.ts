// nexus_dependency_up{dependency}: whether the store and Redis answer, for dashboards and alerts.
// Redis reports its connection state itself; the store is asked every few seconds, off the call path.
import type { Metrics } from '../metrics.ts';
import type { RedisClient } from './redis.ts';
import type { ScriptConnection } from './script-connection.ts';
import type { Db } from './types.ts';

export function watchDependencies(
  db: Db,
  redis: RedisClient | undefined,
  metrics: Metrics,
  everyMs = 5000,
  scripts?: Pick<ScriptConnection, 'connected'>,
): () => void {
  let storeUp = 1; // it has just been opened and migrated
  metrics.gauge('nexus_dependency_up', () => storeUp, { dependency: 'store' });
  // redis is up when every connection to it is (the limiter's script connection too, where there is one)
  const redisUp = () => redis?.status === 'ready' && (!scripts || scripts.connected());
  if (redis) metrics.gauge('nexus_dependency_up', () => (redisUp() ? 1 : 0), { dependency: 'redis' });
  const check = async () => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('store check timed out')), 2000)));
    try {
      await Promise.race([db.query('SELECT 1 AS ok'), timeout]);
      storeUp = 1;
    } catch {
      storeUp = 0;
    } finally {
      clearTimeout(timer);
    }
  };
  const interval = setInterval(() => void check(), everyMs);
  interval.unref?.();
  return () => clearInterval(interval);
}
