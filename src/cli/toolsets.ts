// `nexus toolsets list` and `nexus tools list --stats`: the endpoints a client can connect to, with
// the honest size of each one's tools/list (tools, bytes, approximate tokens).
import { assembleCatalogue } from '../catalogue/catalogue.ts';
import { META_TOOLS } from '../catalogue/discovery.ts';
import { type EndpointSize, endpointSizes } from '../catalogue/stats.ts';
import { parseCommandArgs, resolveConfig } from '../config/config.ts';
import { loadToolsDir } from '../registry/load.ts';
import { formatIssue } from '../registry/yaml-file.ts';
import type { Command, CommandIO } from './command.ts';
import { settingsHelp } from './help.ts';
import { table } from './table.ts';

/** Sizes of /mcp and of every /mcp/<set>, from the tools dir as `serve` would load it. */
export function loadEndpointSizes(io: CommandIO, values: Record<string, unknown>): { sizes: EndpointSize[]; issues: number } {
  const config = resolveConfig(values, io.env);
  const loaded = loadToolsDir(config.toolsDir, { env: io.env, maxResponseBytes: config.maxResponseBytes });
  for (const i of loaded.issues) io.stderr(`${formatIssue(i)}\n`);
  const { tools, toolsets } = assembleCatalogue(loaded.tools, loaded.catalogue);
  return { sizes: endpointSizes(tools, toolsets, config.discovery), issues: loaded.issues.length };
}

const kb = (n: number) => (n < 1024 ? `${n} B` : `${(n / 1024).toFixed(1)} KB`);
const listed = (s: EndpointSize) =>
  s.discovery ? `${META_TOOLS.length} meta-tools (discovery)` : `${kb(s.bytes)}, ~${s.approxTokens.toLocaleString('en')} tokens`;

export function sizesTable(sizes: readonly EndpointSize[]): string {
  return table(
    ['ENDPOINT', 'TOOLS', 'TOOLS/LIST', 'FULL LIST', 'DESCRIPTION'],
    sizes.map((s) => [s.endpoint, String(s.tools), listed(s), kb(s.bytes), (s.description ?? '-').slice(0, 50)]),
  );
}

export const toolsetsListCommand: Command = {
  name: 'toolsets list',
  help: `Usage: nexus toolsets list [--tools DIR] [--json]

${settingsHelp(['toolsDir'])}
  --json  print JSON instead of a table

TOOLS/LIST is what a client loads on connecting: the tools' descriptors, or the three
discovery meta-tools for a set with discovery: true. Tokens are approximated at 4 bytes each.`,
  async run(io) {
    const { values } = parseCommandArgs(io.argv, { json: { type: 'boolean' } });
    const { sizes, issues } = loadEndpointSizes(io, values);
    io.stdout(values.json ? `${JSON.stringify(sizes, null, 2)}\n` : `${sizesTable(sizes)}\n${sizes.length - 1} tool set(s)\n`);
    return issues ? 1 : 0;
  },
};
