// `nexus migrate`: applies pending sql/ migrations to the configured database and exits.
import { type Config, parseFlags, resolveConfig } from '../config/config.ts';
import { settingDefault } from '../config/settings.ts';
import { dbSettings } from '../db/env.ts';
import { migrate } from '../db/migrate.ts';
import { openDb } from '../db/open.ts';
import { NexusError } from '../errors.ts';
import { createLogger } from '../log.ts';
import type { Command, CommandIO } from './command.ts';

/** The words after the command name (tolerates argv that still starts with them). */
export function commandArgs(io: CommandIO, name: string): string[] {
  const words = name.split(' ');
  const argv = [...io.argv];
  return words.every((w, i) => argv[i] === w) ? argv.slice(words.length) : argv;
}

/** The Config of a database command: its --data-dir over the environment, resolved as `serve` does. */
export const dbCommandConfig = (io: CommandIO, dataDir: string | undefined): Config =>
  resolveConfig(dataDir === undefined ? {} : { 'data-dir': dataDir }, io.env);

export const cliLogger = (io: CommandIO) => createLogger({ level: 'warn', write: (line) => io.stderr(`${line}\n`) });

export const migrateCommand: Command = {
  name: 'migrate',
  help: `Usage: nexus migrate [--data-dir DIR]

Applies the numbered migrations in sql/ that the database has not seen, in order. Safe to run
while other instances start: a database lock makes sure each migration runs once.

Flags:
  --data-dir DIR   SQLite data directory when DATABASE_URL is unset (env NEXUS_DATA_DIR, default ${settingDefault('dataDir')})

Environment:
  DATABASE_URL     PostgreSQL URL (shared mode); unset: SQLite file <data dir>/nexus.db

Example:
  DATABASE_URL=postgres://nexus@db/nexus nexus migrate`,
  async run(io) {
    const { values, positionals } = parseFlags(commandArgs(io, 'migrate'), { 'data-dir': { type: 'string' } });
    if (positionals.length) throw new NexusError('INVALID_INPUT', `unexpected argument ${positionals[0]}`);
    const log = cliLogger(io);
    const db = await openDb({ ...dbSettings(dbCommandConfig(io, values['data-dir'])), log });
    try {
      const { applied } = await migrate(db, log);
      io.stdout(applied.length ? `applied ${applied.join(', ')}\n` : 'the database is up to date\n');
      return 0;
    } finally {
      await db.close();
    }
  },
};
