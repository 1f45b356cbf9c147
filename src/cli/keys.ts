// `nexus keys create|list|revoke`: client keys from the shell. A new key is printed once.
import { createKeyService, type KeyInfo, type KeyService, parseExpiry, splitPatterns } from '../auth/keys.ts';
import { parseFlags } from '../config/config.ts';
import { settingDefault } from '../config/settings.ts';
import { dbSettings } from '../db/env.ts';
import { migrate } from '../db/migrate.ts';
import { openDb } from '../db/open.ts';
import type { Db } from '../db/types.ts';
import { NexusError } from '../errors.ts';
import type { Command, CommandIO } from './command.ts';
import { cliLogger, commandArgs, dbCommandConfig } from './migrate.ts';
import { table } from './table.ts';

export const DB_HELP = `  --data-dir DIR   SQLite data directory when DATABASE_URL is unset (env NEXUS_DATA_DIR, default ${settingDefault('dataDir')})

Environment:
  DATABASE_URL     PostgreSQL URL (shared mode); unset: SQLite file <data dir>/nexus.db`;

/** Opens and migrates the configured database for one command, and closes it afterwards. */
export async function withDb<T>(io: CommandIO, dataDir: string | undefined, fn: (db: Db) => Promise<T>): Promise<T> {
  const log = cliLogger(io);
  const db = await openDb({ ...dbSettings(dbCommandConfig(io, dataDir)), log });
  try {
    await migrate(db, log);
    return await fn(db);
  } finally {
    await db.close();
  }
}

const withKeys = <T>(io: CommandIO, dataDir: string | undefined, fn: (keys: KeyService) => Promise<T>) =>
  withDb(io, dataDir, (db) => fn(createKeyService(db)));

const DATA_DIR = { 'data-dir': { type: 'string' } } as const;
const iso = (ms: number | undefined) => (ms === undefined ? '-' : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z'));

function oneName(positionals: string[], usage: string): string {
  if (positionals.length !== 1) throw new NexusError('INVALID_INPUT', `usage: ${usage}`);
  return positionals[0]!;
}

export const keysCreateCommand: Command = {
  name: 'keys create',
  help: `Usage: nexus keys create NAME [--tools PATTERNS] [--expires DURATION] [--data-dir DIR]

Prints a new client key once on stdout. Clients send it as \`Authorization: Bearer <key>\`.
  --tools PATTERNS  comma-separated tool-name patterns the key may use, @SET for a tool set (default: every tool)
  --expires D       lifetime (90d, 12h) or an ISO date (default: never)
${DB_HELP}

Example:
  nexus keys create sales-agent --tools 'crm_*,jira_get_*' --expires 90d`,
  async run(io) {
    const { values, positionals } = parseFlags(commandArgs(io, 'keys create'), {
      ...DATA_DIR,
      tools: { type: 'string' },
      expires: { type: 'string' },
    });
    const name = oneName(positionals, 'nexus keys create NAME [--tools PATTERNS] [--expires 90d]');
    const tools = splitPatterns(values.tools);
    const expiresAt = values.expires === undefined ? undefined : parseExpiry(values.expires);
    const { key, info } = await withKeys(io, values['data-dir'], (k) =>
      k.create(name, { ...(tools && { tools }), ...(expiresAt !== undefined && { expiresAt }) }),
    );
    io.stdout(`${key}\n`);
    io.stderr(
      `created key "${info.name}" for tools ${info.tools.join(',')}${info.expiresAt ? `, expires ${iso(info.expiresAt)}` : ''}; store it now, it cannot be shown again\n`,
    );
    return 0;
  },
};

const status = (k: KeyInfo, now: number) =>
  k.revokedAt !== undefined ? 'revoked' : k.expiresAt !== undefined && k.expiresAt <= now ? 'expired' : 'active';

export const keysListCommand: Command = {
  name: 'keys list',
  help: `Usage: nexus keys list [--json] [--data-dir DIR]

  --json           print JSON instead of a table
${DB_HELP}`,
  async run(io) {
    const { values } = parseFlags(commandArgs(io, 'keys list'), { ...DATA_DIR, json: { type: 'boolean' } });
    const keys = await withKeys(io, values['data-dir'], (k) => k.list());
    const now = Date.now();
    if (values.json) {
      io.stdout(
        `${JSON.stringify(
          keys.map((k) => ({ ...k, status: status(k, now) })),
          null,
          2,
        )}\n`,
      );
      return 0;
    }
    const rows = keys.map((k) => [k.name, status(k, now), k.tools.join(','), iso(k.createdAt), iso(k.expiresAt), iso(k.lastUsedAt)]);
    io.stdout(`${table(['NAME', 'STATUS', 'TOOLS', 'CREATED', 'EXPIRES', 'LAST USED'], rows)}\n${keys.length} key(s)\n`);
    return 0;
  },
};

export const keysRevokeCommand: Command = {
  name: 'keys revoke',
  help: `Usage: nexus keys revoke NAME [--data-dir DIR]

${DB_HELP}`,
  async run(io) {
    const { values, positionals } = parseFlags(commandArgs(io, 'keys revoke'), DATA_DIR);
    const name = oneName(positionals, 'nexus keys revoke NAME');
    await withKeys(io, values['data-dir'], (k) => k.revoke(name));
    io.stdout(`revoked key "${name}"\n`);
    return 0;
  },
};

export const keysCommands: Command[] = [keysCreateCommand, keysListCommand, keysRevokeCommand];
