// `nexus serve`: start the gateway.
import { parseCommandArgs, resolveConfig } from '../config/config.ts';
import { SETTINGS } from '../config/settings.ts';
import { createLogger } from '../log.ts';
import { loadInitialTools } from '../registry/initial.ts';
import type { Command } from './command.ts';
import { settingsHelp } from './help.ts';

export const serveCommand: Command = {
  name: 'serve',
  help: `Usage: nexus serve [flags]

Serves every tool declared under the tools directory on one MCP endpoint (POST /mcp), for MCP
revisions 2025-11-25 and 2026-07-28. Tool files are watched; SIGHUP reloads them too.
Flags override environment variables, which override defaults:

${settingsHelp(SETTINGS.map((s) => s.key))}

Example:
  nexus serve --port 8080 --tools ./tools`,
  async run(io) {
    const { values } = parseCommandArgs(io.argv);
    const config = resolveConfig(values, io.env);
    const log = createLogger({ level: config.logLevel });
    // the tool files first, then the HTTP and MCP modules into the memory their parse left (registry/initial.ts)
    const initialTools = loadInitialTools(config, io.env);
    const [{ createApp }, { startServer }] = await Promise.all([import('../app.ts'), import('../server.ts')]);
    const app = await createApp({ config, log, env: io.env, initialTools });
    const server = await startServer(app, config, log);
    await server.closed;
    // pools and timers are closed; don't let a straggling handle hold the process after a clean stop
    setTimeout(() => process.exit(0), 200).unref();
    return 0;
  },
};
