// `nexus tools list`: a readable table of the tools.
import { parseCommandArgs, resolveConfig } from '../config/config.ts';
import { loadToolsDir } from '../registry/load.ts';
import { formatIssue } from '../registry/yaml-file.ts';
import { formatDuration } from '../util/duration.ts';
import type { Command } from './command.ts';
import { settingsHelp } from './help.ts';
import { table } from './table.ts';
import { loadEndpointSizes, sizesTable } from './toolsets.ts';

export const toolsListCommand: Command = {
  name: 'tools list',
  help: `Usage: nexus tools list [--tools DIR] [--json] [--stats]

${settingsHelp(['toolsDir'])}
  --json   print JSON instead of a table
  --stats  print the size of each endpoint's tools/list (/mcp and every tool set) instead`,
  async run(io) {
    const { values } = parseCommandArgs(io.argv, { json: { type: 'boolean' }, stats: { type: 'boolean' } });
    if (values.stats) {
      const { sizes, issues } = loadEndpointSizes(io, values);
      io.stdout(values.json ? `${JSON.stringify(sizes, null, 2)}\n` : `${sizesTable(sizes)}\n`);
      return issues ? 1 : 0;
    }
    const config = resolveConfig(values, io.env);
    const { tools, issues } = loadToolsDir(config.toolsDir, { env: io.env, maxResponseBytes: config.maxResponseBytes });
    for (const i of issues) io.stderr(`${formatIssue(i)}\n`);
    if (values.json) {
      io.stdout(
        `${JSON.stringify(
          tools.map((t) => ({
            name: t.name,
            method: t.request.method,
            url: t.backend.baseUrl.origin + t.request.path,
            auth: t.auth?.type ?? 'none',
            description: t.description,
          })),
          null,
          2,
        )}\n`,
      );
      return issues.length ? 1 : 0;
    }
    const rows = tools.map((t) => [
      t.name,
      `${t.request.method} ${t.backend.baseUrl.host}${t.backend.baseUrl.pathname.replace(/\/$/, '')}${t.request.path}`,
      t.auth ? `${t.auth.type}:${t.auth.credential}` : '-',
      [t.cache && `cache ${formatDuration(t.cache.ttlMs)}`, t.rateLimit && `${t.rateLimit.requests}/${formatDuration(t.rateLimit.perMs)}`]
        .filter(Boolean)
        .join(', ') || '-',
      t.description.split('\n')[0]!.slice(0, 60),
    ]);
    io.stdout(`${table(['TOOL', 'REQUEST', 'AUTH', 'POLICY', 'DESCRIPTION'], rows)}\n${tools.length} tool(s)\n`);
    return issues.length ? 1 : 0;
  },
};
