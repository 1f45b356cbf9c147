// Routes argv to a command; prints help; turns NexusErrors into one clear line and an exit code.
import { settingFromEnv } from '../config/config.ts';
import { isNexusError } from '../errors.ts';
import type { Command, CommandIO } from './command.ts';

/** A command as the router sees it: its module loads only when it runs (`serve` loads no doctor or importer code). */
export interface CommandEntry {
  /** Words after `nexus`, e.g. `vault put` or `serve`. */
  readonly name: string;
  readonly summary: string;
  load(): Promise<Command>;
}

export const COMMANDS: readonly CommandEntry[] = [
  { name: 'serve', summary: 'Start the gateway (MCP on /mcp)', load: async () => (await import('./serve.ts')).serveCommand },
  {
    name: 'check',
    summary: 'Validate every tool file and its credentials; exit 1 listing all issues',
    load: async () => (await import('./check.ts')).checkCommand,
  },
  { name: 'tools list', summary: 'Show the tools as a table', load: async () => (await import('./tools-list.ts')).toolsListCommand },
  {
    name: 'servers list',
    summary: 'Show the federated MCP servers: state, revision, tool count',
    load: async () => (await import('./servers-list.ts')).serversListCommand,
  },
  {
    name: 'toolsets list',
    summary: 'Show the tool sets (/mcp/<set>) with their sizes',
    load: async () => (await import('./toolsets.ts')).toolsetsListCommand,
  },
  {
    name: 'tools import-openapi',
    summary: 'Write a tool file from an OpenAPI 3.x / Swagger 2.0 document (file or URL)',
    load: async () => (await import('./import-openapi.ts')).importOpenApiCommand,
  },
  { name: 'migrate', summary: 'Apply pending database migrations', load: async () => (await import('./migrate.ts')).migrateCommand },
  {
    name: 'vault put',
    summary: 'Store a credential (secret fields as JSON on stdin); a new version if it exists',
    load: async () => (await import('./vault.ts')).vaultPutCommand,
  },
  {
    name: 'vault list',
    summary: 'List credentials: names, types, principals, versions, dates (never values)',
    load: async () => (await import('./vault.ts')).vaultListCommand,
  },
  {
    name: 'vault delete',
    summary: 'Delete a credential and all its versions',
    load: async () => (await import('./vault.ts')).vaultDeleteCommand,
  },
  {
    name: 'vault rotate-key',
    summary: 'New key-encryption key; every data key re-wrapped (online)',
    load: async () => (await import('./vault.ts')).vaultRotateKeyCommand,
  },
  {
    name: 'vault rotate-master',
    summary: 'Re-wrap the key-encryption keys under a new master key',
    load: async () => (await import('./vault.ts')).vaultRotateMasterCommand,
  },
  {
    name: 'keys create',
    summary: 'Create a client key (printed once; only its hash is stored)',
    load: async () => (await import('./keys.ts')).keysCreateCommand,
  },
  {
    name: 'keys list',
    summary: 'List client keys (names, tools, dates; never the keys)',
    load: async () => (await import('./keys.ts')).keysListCommand,
  },
  {
    name: 'keys revoke',
    summary: 'Revoke a client key (refused everywhere within a second)',
    load: async () => (await import('./keys.ts')).keysRevokeCommand,
  },
  { name: 'audit', summary: 'Show the audit trail (newest first)', load: async () => (await import('./audit.ts')).auditCommand },
  {
    name: 'cache clear',
    summary: 'Drop cached tool answers (all, or one tool)',
    load: async () => (await import('./cache.ts')).cacheClearCommand,
  },
  {
    name: 'doctor',
    summary: 'Check configuration, store, master key, Redis and backends; say what to fix',
    load: async () => (await import('./doctor.ts')).doctorCommand,
  },
  {
    name: 'healthcheck',
    summary: 'Exit 0 when the local instance answers /healthz (for container health checks)',
    load: async () => (await import('./healthcheck.ts')).healthcheckCommand,
  },
  { name: 'version', summary: 'Print version, commit and build date', load: async () => (await import('./version.ts')).versionCommand },
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
  try {
    const loaded = await command.load();
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout(`${loaded.help}\n`);
      return 0;
    }
    return await loaded.run({ ...io, argv: rest });
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
