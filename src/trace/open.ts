// Chooses the tracer: the OpenTelemetry SDK (imported only then) when an OTLP endpoint is configured,
// else the no-op port.
import type { Config } from '../config/config.ts';
import { NexusError } from '../errors.ts';
import type { Protocol } from './export.ts';
import { NOOP_TRACER, type Tracer } from './tracer.ts';

/** OTEL_EXPORTER_OTLP_HEADERS: `k=v,k2=v2`, values URL-encoded (W3C Baggage style, as the spec says). */
export function parseOtlpHeaders(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (text ?? '').split(',')) {
    if (!part.trim()) continue;
    const eq = part.indexOf('=');
    if (eq < 1) throw new NexusError('INVALID_CONFIG', 'OTEL_EXPORTER_OTLP_HEADERS: expected key=value pairs separated by commas');
    out[part.slice(0, eq).trim()] = decodeURIComponent(part.slice(eq + 1).trim());
  }
  return out;
}

export async function openTracer(config: Config, version: string): Promise<Tracer> {
  if (!config.otelEndpoint) return NOOP_TRACER;
  if (!URL.canParse(config.otelEndpoint)) {
    throw new NexusError('INVALID_CONFIG', `OTEL_EXPORTER_OTLP_ENDPOINT: expected a URL like http://127.0.0.1:4318`);
  }
  const arg = config.otelSamplerArg;
  if (arg !== undefined && !(Number(arg) >= 0 && Number(arg) <= 1)) {
    throw new NexusError('INVALID_CONFIG', `OTEL_TRACES_SAMPLER_ARG: expected a ratio between 0 and 1, got "${arg}"`);
  }
  for (const [env, n] of [
    ['OTEL_BSP_MAX_EXPORT_BATCH_SIZE', config.otelBspMaxExportBatchSize],
    ['OTEL_BSP_MAX_QUEUE_SIZE', config.otelBspMaxQueueSize],
  ] as const) {
    if (n < 1) throw new NexusError('INVALID_CONFIG', `${env}: expected at least 1 span, got ${n}`);
  }
  const { createOtelTracer } = await import('./otel.ts');
  return createOtelTracer({
    endpoint: config.otelEndpoint,
    headers: parseOtlpHeaders(config.otelHeaders),
    serviceName: config.otelServiceName,
    serviceVersion: version,
    sampler: config.otelSampler,
    protocol: config.otelTracesProtocol as Protocol,
    batch: {
      scheduledDelayMs: config.otelBspScheduleDelay,
      maxExportBatchSize: config.otelBspMaxExportBatchSize,
      maxQueueSize: config.otelBspMaxQueueSize,
    },
    ...(arg !== undefined && { samplerArg: arg }),
  });
}
