// `nexus cache clear [TOOL]`: drop cached answers. With Redis, directly in Redis (every instance sees
// it); embedded, through the running gateway's admin API, since the cache lives in its memory.
import { createRedisCache } from '../cache/redis.ts';
import { parseFlags, resolveConfig } from '../config/config.ts';
import { openRedis, redisReady } from '../db/redis.ts';
import { NexusError } from '../errors.ts';
import type { Command } from './command.ts';
import { cliLogger } from './migrate.ts';

export const cacheClearCommand: Command = {
  name: 'cache clear',
  help: `Usage: nexus cache clear [TOOL] [--url URL]

With REDIS_URL set, clears the shared cache in Redis directly. Without it, asks the running
gateway at --url (default http://127.0.0.1:$NEXUS_PORT) through its admin API, which
needs NEXUS_ADMIN_TOKEN.

Example:
  nexus cache clear jira_get_issue`,
  async run(io) {
    const { values, positionals } = parseFlags([...io.argv], { url: { type: 'string' } });
    const tool = positionals[0];
    if (positionals.length > 1) throw new NexusError('INVALID_INPUT', 'usage: nexus cache clear [TOOL]');
    const config = resolveConfig({}, io.env);
    let cleared: number;
    if (config.redisUrl) {
      const redis = openRedis(config.redisUrl, { log: cliLogger(io), commandTimeoutMs: 5000 });
      try {
        await redisReady(redis, 5000); // no offline queue: a command sent before the connection is up fails at once
        cleared = await createRedisCache(redis).clear(tool);
      } finally {
        redis.disconnect();
      }
    } else {
      const token = config.adminToken;
      if (!token)
        throw new NexusError(
          'INVALID_CONFIG',
          'without REDIS_URL the cache lives in the gateway: set NEXUS_ADMIN_TOKEN to clear it through the admin API',
        );
      const base = (values.url as string | undefined) ?? `http://127.0.0.1:${config.port}`;
      const res = await fetch(`${base}/admin/cache${tool ? `/${encodeURIComponent(tool)}` : ''}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${token}` },
      }).catch((e) => {
        throw new NexusError('UNAVAILABLE', `cannot reach the gateway at ${base}: ${(e as Error).message}`);
      });
      const body = (await res.json().catch(() => ({}))) as { cleared?: number; detail?: string };
      if (!res.ok) throw new NexusError('UNAVAILABLE', `the gateway refused: ${body.detail ?? res.status}`);
      cleared = body.cleared ?? 0;
    }
    io.stdout(`cleared ${cleared} cached answer(s)${tool ? ` of ${tool}` : ''}\n`);
    return 0;
  },
};
