// `nexus servers list`: connects to every server in the tool files' `servers:` (as the gateway would)
// and shows its state and tool count; with --url, asks a running gateway's /readyz instead.
import { parseCommandArgs, resolveConfig } from '../config/config.ts';
import { loadToolsDir } from '../registry/load.ts';
import { formatIssue } from '../registry/yaml-file.ts';
import type { Command } from './command.ts';
import { settingsHelp } from './help.ts';
import { cliLogger } from './migrate.ts';
import { type ProbeRow, probeOffline } from './offline-probe.ts';
import { table } from './table.ts';

export const serversListCommand: Command = {
  name: 'servers list',
  help: `Usage: nexus servers list [--tools DIR] [--url GATEWAY] [--json]

Connects to every MCP server declared under servers: in the tool files and prints its state
(ready / down), the revision it speaks, its tool count and, when down, why. A server with an
auth: block gets its credential from the vault (DATABASE_URL or the data dir, and the master key,
as for serve); when the vault cannot be opened here it is listed as skipped with the reason, and
--url asks a running gateway instead.

${settingsHelp(['toolsDir', 'dataDir', 'databaseUrl', 'masterKey', 'masterKeyFile'])}
  --url URL  ask the running gateway at URL (its /readyz) instead of connecting from here
  --json     print JSON instead of a table`,
  async run(io) {
    const { values } = parseCommandArgs(io.argv, { json: { type: 'boolean' }, url: { type: 'string' } });
    let rows: ProbeRow[];
    if (typeof values.url === 'string') {
      const res = await fetch(new URL('/readyz', values.url)).catch(() => undefined);
      if (!res) {
        io.stderr(`cannot reach ${values.url}\n`);
        return 1;
      }
      rows = ((await res.json()) as { upstreams?: ProbeRow[] }).upstreams ?? [];
    } else {
      const config = resolveConfig(values, io.env);
      const { servers, issues } = loadToolsDir(config.toolsDir, { env: io.env, maxResponseBytes: config.maxResponseBytes });
      for (const i of issues) io.stderr(`${formatIssue(i)}\n`);
      if (issues.length) return 1;
      rows = await probeOffline(servers, config, cliLogger(io));
    }
    if (values.json) io.stdout(`${JSON.stringify(rows, null, 2)}\n`);
    else {
      const body = rows.map((r) => [r.name, r.state, r.protocol ?? '-', String(r.tools), r.target ?? '-', r.error ?? '']);
      io.stdout(`${table(['SERVER', 'STATE', 'PROTOCOL', 'TOOLS', 'TARGET', 'ERROR'], body)}\n${rows.length} server(s)\n`);
    }
    return rows.every((r) => r.state === 'ready') ? 0 : 1;
  },
};
