// `nexus check`: validate every tool file and list every issue with file and line; then make sure
// every credential the tools name is in the vault with the right type (metadata only, no master key).
import { existsSync } from 'node:fs';
import { assembleCatalogue } from '../catalogue/catalogue.ts';
import { describeSize, endpointSizes, formatBytes, LARGE_LIST, largeListWarnings } from '../catalogue/stats.ts';
import { type Config, parseCommandArgs, resolveConfig } from '../config/config.ts';
import { openDb, sqliteFile } from '../db/open.ts';
import { describeUrl } from '../db/postgres.ts';
import type { Db } from '../db/types.ts';
import { isNexusError } from '../errors.ts';
import { type CredentialLookup, credentialIssues, credentialNames, serverCredentialIssues } from '../registry/credentials-check.ts';
import { type LoadResult, loadToolsDir } from '../registry/load.ts';
import { formatIssue, type Issue } from '../registry/yaml-file.ts';
import { VaultStore } from '../vault/store.ts';
import type { Command, CommandIO } from './command.ts';
import { settingsHelp } from './help.ts';
import { cliLogger } from './migrate.ts';

export const checkCommand: Command = {
  name: 'check',
  help: `Usage: nexus check [--tools DIR] [--data-dir DIR] [--no-credentials]

Validates every *.yaml / *.yml under the tools directory against the tool-file schema
(schema/tools.schema.json) and the cross-file rules (unique names, placeholders, URLs).
Then checks that every credential named in an auth block is in the vault with the type the
block needs (names and types only: no master key needed). When the store cannot be opened
it prints "credentials not checked: <reason>" and does not fail on it.
Prints every issue as FILE:LINE PATH: MESSAGE and exits 1 when there is any. Otherwise prints
the size of each endpoint's tools/list, with a warning for any over ${LARGE_LIST.tools} tools or ${formatBytes(LARGE_LIST.bytes)}
(serve tool sets or discovery instead: README "Big catalogues").

  --no-credentials  skip the vault check (tool files only)
${settingsHelp(['toolsDir', 'dataDir', 'databaseUrl'])}

Example:
  nexus check --tools ./tools`,
  async run(io) {
    const { values } = parseCommandArgs(io.argv, { 'no-credentials': { type: 'boolean' } });
    const config = resolveConfig(values, io.env);
    const loadOpts = { env: io.env, maxResponseBytes: config.maxResponseBytes, thorough: true };
    const result = loadToolsDir(config.toolsDir, loadOpts);
    const issues: Issue[] = [...result.issues];
    let checked = '';
    const names = credentialNames(result.tools, result.servers);
    if (!issues.length && values['no-credentials'] !== true && names.length) {
      const vault = await openVaultLookup(io, config);
      if ('skipped' in vault) io.stderr(`credentials not checked: ${vault.skipped}\n`);
      else {
        let found = await vaultIssues(result, vault.lookup);
        // a clean load parses fast, without lines: parse again precisely to say where each one is
        if (found.length) found = await vaultIssues(loadToolsDir(config.toolsDir, { ...loadOpts, precise: true }), vault.lookup);
        issues.push(...found);
        checked = `; ${names.length} credential(s) checked in ${vault.where}`;
      }
    }
    for (const w of result.warnings) io.stderr(`warning: ${formatIssue(w)}\n`);
    if (issues.length) {
      for (const i of issues) io.stderr(`${formatIssue(i)}\n`);
      io.stderr(`\n${issues.length} issue(s) in ${config.toolsDir}\n`);
      return 1;
    }
    const servers = result.servers.length ? ` and ${result.servers.length} server(s)` : '';
    io.stdout(`ok: ${result.tools.length} tool(s)${servers} in ${result.files.length} file(s) under ${config.toolsDir}${checked}\n`);
    const { tools, toolsets } = assembleCatalogue(result.tools, result.catalogue);
    const sizes = endpointSizes(tools, toolsets, config.discovery);
    const without = result.servers.length ? " (without the servers' tools, listed at run time)" : '';
    io.stdout(`tools/list sizes${without}: ${sizes.map((s) => (s.discovery ? `${s.endpoint}: discovery` : describeSize(s))).join('; ')}\n`);
    for (const w of largeListWarnings(sizes)) io.stderr(`warning: ${w}\n`);
    return 0;
  },
};

const vaultIssues = async (loaded: LoadResult, lookup: CredentialLookup) => [
  ...(await credentialIssues(loaded.tools, lookup)),
  ...(await serverCredentialIssues(loaded.servers, lookup)),
];

/** Reads credential metadata without migrating or creating anything: a check never writes. */
async function openVaultLookup(io: CommandIO, config: Config): Promise<{ lookup: CredentialLookup; where: string } | { skipped: string }> {
  const where = config.databaseUrl ? describeUrl(config.databaseUrl) : sqliteFile(config.dataDir);
  if (!config.databaseUrl && !existsSync(where)) return { skipped: `no vault at ${where} (set --data-dir or DATABASE_URL)` };
  let db: Db;
  try {
    db = await openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, log: cliLogger(io) });
  } catch (e) {
    return { skipped: isNexusError(e) ? e.message : `cannot open the store at ${where}` };
  }
  try {
    const rows = await new VaultStore(db).list().catch(() => undefined);
    if (!rows) return { skipped: `the store at ${where} has no vault tables (run nexus migrate)` };
    // the shared row's type when there is one, else a per-principal one: any version counts as present
    const byName = new Map<string, { type: string }>();
    for (const r of rows) if (!byName.has(r.name) || r.principal === null) byName.set(r.name, { type: r.type });
    return { lookup: async (name) => byName.get(name), where };
  } finally {
    await db.close();
  }
}
