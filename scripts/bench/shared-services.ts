// The bench's private corner of the shared PostgreSQL and Redis: one schema per gateway (dropped
// afterwards) and Redis keys that all carry the run's id (deleted afterwards by SCAN, never FLUSH).

import { Redis } from 'ioredis';
import postgres from 'postgres';

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
const CACHE_TOOLS_SET = 'nexus:cache:tools';

export interface SharedServices {
  readonly databaseUrl: string;
  readonly redisUrl: string;
  /** A new schema; the URL selects it through search_path. */
  schemaUrl(name: string): Promise<string>;
  /** Rows in a table of one of our schemas (undefined when it does not exist). */
  count(schema: string, table: string): Promise<number | undefined>;
  /** Redis keys whose name contains `marker`. */
  redisKeys(marker: string): Promise<string[]>;
  cleanup(marker: string): Promise<void>;
}

export async function openSharedServices(databaseUrl = DEFAULT_DATABASE_URL, redisUrl = DEFAULT_REDIS_URL): Promise<SharedServices> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  await sql`SELECT 1`;
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  const schemas: string[] = [];
  const scan = async (marker: string) => {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `*${marker}*`, 'COUNT', 1000);
      found.push(...keys);
      cursor = next;
    } while (cursor !== '0');
    return found;
  };
  return {
    databaseUrl,
    redisUrl,
    async schemaUrl(name) {
      await sql.unsafe(`CREATE SCHEMA "${name}"`);
      schemas.push(name);
      const u = new URL(databaseUrl);
      u.searchParams.set('search_path', name);
      return u.toString();
    },
    async count(schema, table) {
      const [row] = await sql`SELECT to_regclass(${`"${schema}".${table}`}) AS t`;
      if (!row?.t) return undefined;
      const [c] = await sql.unsafe(`SELECT count(*)::int AS n FROM "${schema}".${table}`);
      return c?.n as number;
    },
    redisKeys: scan,
    async cleanup(marker) {
      for (const s of schemas.splice(0)) await sql.unsafe(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
      const keys = await scan(marker);
      for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
      // the cache's shared index of tool names (a set) holds our tool names too
      const ours = (await redis.smembers(CACHE_TOOLS_SET).catch(() => [] as string[])).filter((m) => m.includes(marker));
      if (ours.length) await redis.srem(CACHE_TOOLS_SET, ...ours);
      await sql.end({ timeout: 2 });
      redis.disconnect();
    },
  };
}
