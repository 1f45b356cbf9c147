// Routes argv to a command; prints help; turns NexusErrors into one clear line and an exit code.
import { settingFromEnv } from '../config/config.ts';
import { isNexusError } from '../errors.ts';
import { auditCommand } from './audit.ts';
import { cacheClearCommand } from './cache.ts';
import { checkCommand } from './check.ts';
import type { Command, CommandIO } from './command.ts';
import { doctorCommand } from './doctor.ts';
import { healthcheckCommand } from './healthcheck.ts';
import { importOpenApiCommand } from './import-openapi.ts';
import { keysCommands } from './keys.ts';
import { migrateCommand } from './migrate.ts';
import { serveCommand } from './serve.ts';
import { toolsListCommand } from './tools-list.ts';
import { toolsetsListCommand } from './toolsets.ts';
import { vaultCommands } from './vault.ts';
import { versionCommand } from './version.ts';

export const COMMANDS: Command[] = [
  serveCommand,
  checkCommand,
  toolsListCommand,
  toolsetsListCommand,
  importOpenApiCommand,
  migrateCommand,
  ...vaultCommands,
  ...keysCommands,
  auditCommand,
  cacheClearCommand,
  doctorCommand,
  healthcheckCommand,
  versionCommand,
];

function usage(): string {
  const w = Math.max(...COMMANDS.map((c) => c.name.length));
  return `Nexus: an MCP gateway for your organisation's tools.

Usage: nexus <command> [flags]     (nexus <command> --help for details)

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`).join('\n')}
`;
}

export async function runCli(argv: readonly string[], io: Omit<CommandIO, 'argv'>): Promise<number> {
  if (!argv.length || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.stdout(usage());
    return argv.length ? 0 : 2;
  }
  // longest command name first, so `tools list` wins over a hypothetical `tools`
  const command = [...COMMANDS]
    .sort((a, b) => b.name.split(' ').length - a.name.split(' ').length)
    .find((c) => c.name.split(' ').every((w, i) => argv[i] === w));
  if (!command) {
    const group = COMMANDS.filter((c) => c.name.startsWith(`${argv[0]} `));
    io.stderr(
      group.length
        ? `nexus ${argv[0]}: needs a subcommand: ${group.map((c) => c.name.split(' ').slice(1).join(' ')).join(', ')}\n`
        : `nexus: unknown command "${argv[0]}"; run \`nexus --help\` for the list\n`,
    );
    return 2;
  }
  const rest = argv.slice(command.name.split(' ').length);
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(`${command.help}\n`);
    return 0;
  }
  try {
    return await command.run({ ...io, argv: rest });
  } catch (e) {
    if (isNexusError(e)) {
      io.stderr(`nexus ${command.name}: ${e.message}\n`);
      return e.code === 'INVALID_INPUT' || e.code === 'INVALID_CONFIG' ? 2 : 1;
    }
    io.stderr(`nexus ${command.name}: unexpected error: ${(e as Error)?.message ?? e}\n`);
    if (settingFromEnv('debug', io.env)) io.stderr(`${String((e as Error)?.stack)}\n`);
    return 1;
  }
}
