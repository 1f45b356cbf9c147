// `nexus vault ...`: manage credentials from the shell. Secrets come on stdin only, never argv.
import { renameSync, writeFileSync } from 'node:fs';
import { parseFlags } from '../config/config.ts';
import { settingDefault } from '../config/settings.ts';
import { type DbSettings, dbSettings } from '../db/env.ts';
import { migrate } from '../db/migrate.ts';
import { openDb } from '../db/open.ts';
import { NexusError } from '../errors.ts';
import { typeFor } from '../vault/fields.ts';
import { keyFrom, loadMasterKey, masterKeyFile } from '../vault/master-key.ts';
import { type CredentialInfo, Vault } from '../vault/vault.ts';
import type { Command, CommandIO } from './command.ts';
import { cliLogger, commandArgs, dbCommandConfig } from './migrate.ts';

const DATA_DIR = { 'data-dir': { type: 'string' } } as const;
const ENV_HELP = `Environment:
  DATABASE_URL            PostgreSQL URL (shared mode); unset: SQLite in the data dir
  NEXUS_DATA_DIR          data directory (default ${settingDefault('dataDir')}; --data-dir overrides)
  NEXUS_MASTER_KEY[_FILE] master key, base64 of 32 bytes (embedded mode: generated into the data dir if unset)`;

async function withVault<T>(io: CommandIO, dataDir: string | undefined, fn: (vault: Vault, s: DbSettings) => Promise<T>): Promise<T> {
  const log = cliLogger(io);
  const config = dbCommandConfig(io, dataDir);
  const settings = dbSettings(config);
  const masterKey = loadMasterKey(config, log);
  const db = await openDb({ ...settings, log });
  try {
    await migrate(db, log);
    return await fn(await Vault.open(db, masterKey, { log }), settings);
  } finally {
    await db.close();
  }
}

function onlyName(positionals: string[], usage: string): string {
  if (positionals.length !== 1) throw new NexusError('INVALID_INPUT', `usage: ${usage}`);
  return positionals[0]!;
}

const where = (c: { name: string; principal: string | null }) => `"${c.name}"${c.principal ? ` for ${c.principal}` : ''}`;

export const vaultPutCommand: Command = {
  name: 'vault put',
  help: `Usage: nexus vault put NAME [--type TYPE] [--for PRINCIPAL] [--data-dir DIR] < secret.json

Reads the secret fields as one JSON object on stdin (never from arguments):
  basic {"username","password"}  bearer {"token"}  api_key {"key"}
  oauth2_client_credentials {"client_id","client_secret"}
  oauth2_refresh_token {"client_id","client_secret","refresh_token"}
The type is inferred from the fields; --type names it explicitly. --for stores the credential for
one principal (e.g. key:alice); it wins over the shared one for that caller.

${ENV_HELP}

Example:
  printf '{"username":"bot","password":"%s"}' "$PASS" | nexus vault put jira-bot`,
  async run(io) {
    const { values, positionals } = parseFlags(commandArgs(io, 'vault put'), {
      ...DATA_DIR,
      type: { type: 'string' },
      for: { type: 'string' },
    });
    const name = onlyName(positionals, 'nexus vault put NAME [--type TYPE] [--for PRINCIPAL]');
    let secret: unknown;
    try {
      secret = JSON.parse(await io.stdin());
    } catch {
      throw new NexusError('INVALID_INPUT', 'stdin must hold the secret fields as one JSON object');
    }
    const type = typeFor(values.type, secret);
    const stored = await withVault(io, values['data-dir'], (v) => v.put(name, type, secret as Record<string, string>, values.for));
    io.stdout(`stored credential ${where(stored)} version ${stored.version} (${stored.type})\n`);
    return 0;
  },
};

const iso = (ms: number) => new Date(ms).toISOString();
const asJson = (c: CredentialInfo) => ({ ...c, createdAt: iso(c.createdAt), updatedAt: iso(c.updatedAt) });

function table(rows: readonly CredentialInfo[]): string {
  const lines = [
    ['NAME', 'TYPE', 'PRINCIPAL', 'VERSION', 'UPDATED'],
    ...rows.map((c) => [c.name, c.type, c.principal ?? '-', String(c.version), iso(c.updatedAt)]),
  ];
  const widths = lines[0]!.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  return `${lines
    .map((l) =>
      l
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}

export const vaultListCommand: Command = {
  name: 'vault list',
  help: `Usage: nexus vault list [--json] [--data-dir DIR]\n\n${ENV_HELP}\n\nExample:\n  nexus vault list --json`,
  async run(io) {
    const { values } = parseFlags(commandArgs(io, 'vault list'), { ...DATA_DIR, json: { type: 'boolean' } });
    const rows = await withVault(io, values['data-dir'], (v) => v.list());
    io.stdout(values.json ? `${JSON.stringify(rows.map(asJson), null, 2)}\n` : rows.length ? table(rows) : 'no credentials\n');
    return 0;
  },
};

export const vaultDeleteCommand: Command = {
  name: 'vault delete',
  help: `Usage: nexus vault delete NAME [--for PRINCIPAL] [--data-dir DIR]\n\nWithout --for, deletes the shared credential only.\n\n${ENV_HELP}\n\nExample:\n  nexus vault delete jira-bot --for key:alice`,
  async run(io) {
    const { values, positionals } = parseFlags(commandArgs(io, 'vault delete'), { ...DATA_DIR, for: { type: 'string' } });
    const name = onlyName(positionals, 'nexus vault delete NAME [--for PRINCIPAL]');
    await withVault(io, values['data-dir'], (v) => v.delete(name, values.for));
    io.stdout(`deleted credential ${where({ name, principal: values.for ?? null })}\n`);
    return 0;
  },
};

export const vaultRotateKeyCommand: Command = {
  name: 'vault rotate-key',
  help: `Usage: nexus vault rotate-key [--data-dir DIR]\n\nRunning instances keep serving while it runs.\n\n${ENV_HELP}\n\nExample:\n  nexus vault rotate-key`,
  async run(io) {
    const { values } = parseFlags(commandArgs(io, 'vault rotate-key'), DATA_DIR);
    const out = await withVault(io, values['data-dir'], (v) => v.rotateKey());
    io.stdout(`key-encryption key is now version ${out!.kekVersion}; ${out!.rewrapped} data keys re-wrapped\n`);
    return 0;
  },
};

export const vaultRotateMasterCommand: Command = {
  name: 'vault rotate-master',
  help: `Usage: nexus vault rotate-master [--data-dir DIR]

Reads the new key from NEXUS_NEW_MASTER_KEY (base64, 32 bytes) or NEXUS_NEW_MASTER_KEY_FILE. Afterwards
the old master key no longer opens the vault: restart every instance with the new one. A master key
generated into the data dir is replaced in place.

${ENV_HELP}

Example:
  NEXUS_NEW_MASTER_KEY="$(openssl rand -base64 32)" nexus vault rotate-master`,
  async run(io) {
    const { values } = parseFlags(commandArgs(io, 'vault rotate-master'), DATA_DIR);
    const config = dbCommandConfig(io, values['data-dir']);
    const next = keyFrom(config.newMasterKey, config.newMasterKeyFile, 'NEXUS_NEW_MASTER_KEY');
    if (!next) throw new NexusError('INVALID_INPUT', 'set NEXUS_NEW_MASTER_KEY or NEXUS_NEW_MASTER_KEY_FILE to the new master key');
    const generatedFile = !keyFrom(config.masterKey, config.masterKeyFile, 'NEXUS_MASTER_KEY');
    const out = await withVault(io, values['data-dir'], async (v, s) => {
      const r = await v.rotateMaster(next);
      if (generatedFile) replaceKeyFile(masterKeyFile(s.dataDir), next);
      return r;
    });
    io.stdout(`${out.keks} key-encryption keys re-wrapped; restart every instance with the new master key\n`);
    return 0;
  },
};

function replaceKeyFile(path: string, key: Uint8Array): void {
  writeFileSync(`${path}.new`, `${Buffer.from(key).toString('base64')}\n`, { mode: 0o600 });
  renameSync(`${path}.new`, path);
}

export const vaultCommands: readonly Command[] = [
  vaultPutCommand,
  vaultListCommand,
  vaultDeleteCommand,
  vaultRotateKeyCommand,
  vaultRotateMasterCommand,
];
