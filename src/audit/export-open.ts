// Builds the audit export from Config (NEXUS_AUDIT_EXPORT), or nothing when no target is named.
import type { Config } from '../config/config.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import { parseOtlpHeaders } from '../trace/open.ts';
import { VERSION } from '../version.ts';
import { type AuditExport, createAuditExport } from './export.ts';
import { openAuditTargets } from './targets.ts';

export async function openAuditExport(config: Config, log: Logger, metrics: Metrics): Promise<AuditExport | undefined> {
  if (!config.auditExport.length) return undefined;
  const endpoint = config.otelEndpoint;
  const targets = await openAuditTargets(config.auditExport, {
    ...(config.caFile && { caFile: config.caFile }),
    ...(endpoint && {
      otlp: async () =>
        (await import('./export-otlp.ts')).createOtlpAuditTarget({
          endpoint,
          headers: parseOtlpHeaders(config.otelHeaders),
          serviceName: config.otelServiceName,
          serviceVersion: VERSION,
        }),
    }),
  });
  log.info('audit export on', { targets: targets.map((t) => t.kind) });
  return createAuditExport({ targets, log, metrics, maxQueue: config.auditExportQueue });
}
