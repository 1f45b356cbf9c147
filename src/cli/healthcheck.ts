// `nexus healthcheck`: for container HEALTHCHECKs in images without curl (distroless).
import { type Env, resolveConfig } from '../config/config.ts';
import { settingDefault } from '../config/settings.ts';
import { NexusError } from '../errors.ts';
import type { Command } from './command.ts';

const WILDCARD = new Set(['', '0.0.0.0', '::', '[::]']);

/** The /healthz URL of the local instance: `--url`, else NEXUS_HOST/NEXUS_PORT with wildcards -> loopback. */
export function healthzUrl(argv: readonly string[], env: Env): string {
  const i = argv.indexOf('--url');
  if (i >= 0) {
    const url = argv[i + 1];
    if (!url) throw new NexusError('INVALID_INPUT', '--url needs a value');
    return url;
  }
  const { host, port } = resolveConfig({}, env);
  const h = WILDCARD.has(host) ? '127.0.0.1' : host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `http://${h}:${port}/healthz`;
}

export const healthcheckCommand: Command = {
  name: 'healthcheck',
  help: `Usage: nexus healthcheck [--url URL]

GETs http://NEXUS_HOST:NEXUS_PORT/healthz (a wildcard host means 127.0.0.1; defaults
${settingDefault('host')}:${settingDefault('port')})
and exits 0 on HTTP 200, 1 otherwise, within 3 seconds.

Example:
  HEALTHCHECK CMD ["/usr/local/bin/nexus", "healthcheck"]`,
  async run(io) {
    const url = healthzUrl(io.argv, io.env);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
      if (res.ok) return 0;
      io.stderr(`nexus healthcheck: ${url} answered ${res.status}\n`);
    } catch {
      io.stderr(`nexus healthcheck: ${url} did not answer\n`);
    }
    return 1;
  },
};
