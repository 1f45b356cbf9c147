// `nexus check`: validate every tool file and list every issue with file and line.
import { resolveConfig, parseCommandArgs } from '../config/config.ts';
import { loadToolsDir } from '../registry/load.ts';
import { formatIssue } from '../registry/yaml-file.ts';
import type { Command } from './command.ts';
import { settingsHelp } from './help.ts';

export const checkCommand: Command = {
  name: 'check',
  summary: 'Validate every tool file; exit 1 listing all issues',
  help: `Usage: nexus check [--tools DIR]

Validates every *.yaml / *.yml under the tools directory against the tool-file schema
(schema/tools.schema.json) and the cross-file rules (unique names, placeholders, URLs).
Prints every issue as FILE:LINE PATH: MESSAGE and exits 1 when there is any.

${settingsHelp(['toolsDir'])}

Example:
  nexus check --tools ./tools`,
  async run(io) {
    const { values } = parseCommandArgs(io.argv);
    const config = resolveConfig(values, io.env);
    const result = loadToolsDir(config.toolsDir, { env: io.env, maxResponseBytes: config.maxResponseBytes, thorough: true });
    if (result.issues.length) {
      for (const i of result.issues) io.stderr(formatIssue(i) + '\n');
      io.stderr(`\n${result.issues.length} issue(s) in ${config.toolsDir}\n`);
      return 1;
    }
    io.stdout(`ok: ${result.tools.length} tool(s) in ${result.files.length} file(s) under ${config.toolsDir}\n`);
    return 0;
  },
};
