// The OTLP logs audit target: each record one log record (event nexus.audit) with its fields as
// attributes and its trace context, sent over OTLP/HTTP (JSON) to the collector that receives the
// traces, by the span exporter's fetch transport (src/trace/export.ts: node:http costs Bun far more).
// Loaded only when NEXUS_AUDIT_EXPORT names `otlp`.
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider, type LogRecordExporter } from '@opentelemetry/sdk-logs';
import { createLogExporter } from '../trace/export.ts';
import type { AuditTarget } from './export.ts';
import type { AuditRecord } from './record.ts';
import { auditJson } from './syslog.ts';

export interface OtlpLogOptions {
  readonly endpoint: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly serviceName: string;
  readonly serviceVersion: string;
}

const SEVERITY: Record<AuditRecord['outcome'], [number, string]> = {
  ok: [9, 'INFO'],
  denied: [13, 'WARN'],
  limited: [13, 'WARN'],
  invalid: [13, 'WARN'],
  error: [17, 'ERROR'],
  timeout: [17, 'ERROR'],
  tool_added: [10, 'INFO2'],
  tool_changed: [10, 'INFO2'],
  tool_removed: [10, 'INFO2'],
};

const attributes = (r: AuditRecord) => {
  const out: Record<string, string | number> = {};
  const put = (k: string, v: string | number | undefined) => v !== undefined && (out[k] = v);
  put('nexus.tool', r.tool);
  put('nexus.caller', r.caller);
  put('nexus.outcome', r.outcome);
  put('nexus.request_id', r.requestId);
  put('http.response.status_code', r.backendStatus);
  put('nexus.latency_ms', r.latencyMs);
  put('nexus.cache', r.cache);
  put('nexus.rate_limit', r.limit);
  put('nexus.args_hash', r.argsHash);
  put('error.type', r.error);
  return out;
};

export function createOtlpAuditTarget(opts: OtlpLogOptions): AuditTarget {
  const inner = createLogExporter(`${opts.endpoint.replace(/\/+$/, '')}/v1/logs`, opts.headers);
  // The SDK reports a failed export only to its diagnostics: remember it, so a batch is retried, not lost
  let failure: Error | undefined;
  const exporter: LogRecordExporter = {
    export: (logs, done) =>
      inner.export(logs, (r) => {
        if (r.code !== ExportResultCode.SUCCESS) failure = r.error ?? new Error('OTLP log export failed');
        done(r);
      }),
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush(),
  };
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': opts.serviceName, 'service.version': opts.serviceVersion }),
    processors: [new BatchLogRecordProcessor({ exporter, maxQueueSize: 4096, maxExportBatchSize: 512, scheduledDelayMillis: 200 })],
  });
  const logger = provider.getLogger('nexus.audit');
  return {
    kind: 'otlp',
    async write(records) {
      failure = undefined;
      for (const r of records) {
        const [severityNumber, severityText] = SEVERITY[r.outcome];
        logger.emit({
          eventName: 'nexus.audit',
          timestamp: r.time,
          severityNumber,
          severityText,
          body: auditJson(r),
          attributes: attributes(r),
          ...(r.traceId &&
            r.spanId && { context: trace.setSpanContext(ROOT_CONTEXT, { traceId: r.traceId, spanId: r.spanId, traceFlags: 1 }) }),
        });
      }
      await provider.forceFlush();
      if (failure) throw failure;
    },
    close: () => provider.shutdown(),
  };
}
