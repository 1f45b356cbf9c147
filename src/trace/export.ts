// The OTLP/HTTP exporters of spans and (for the audit `otlp` target) log records: the official exporter's parts (OTLPExporterBase, its export delegate
// with the bounded queue of concurrent exports, the official OTLP JSON serializer or our protobuf
// encoder, otlp-proto.ts, which writes the official serializer's bytes for less CPU) over a transport
// that sends with fetch. The official Node transport goes through node:http, which in Bun cost several times the
// CPU of the spans it carried (its agent's socket bookkeeping showed as a third of a traced gateway's
// profile); fetch is native. Retries follow the exporter spec: 429, 502, 503 and 504 and network
// errors are retried with exponential backoff (Retry-After honoured) until the export timeout.
import { createOtlpNetworkExportDelegate, type ExporterMetrics, OTLPExporterBase } from '@opentelemetry/otlp-exporter-base';
import { type ISerializer, JsonLogsSerializer, JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { encodeSpans } from './otlp-proto.ts';

/** OTEL_EXPORTER_OTLP_TIMEOUT's default (ms): one export, retries included. */
const TIMEOUT_MS = 10_000;
/** Exports in flight at once before a batch is refused (the official exporter's default). */
const CONCURRENCY = 30;
const RETRYABLE = new Set([429, 502, 503, 504]);
const FIRST_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 5000;
const MAX_RETRIES = 5;

type Sent =
  | { status: 'success'; data?: Uint8Array }
  | { status: 'retryable'; retryInMillis?: number; error?: Error }
  | { status: 'failure'; error: Error };

const retryAfterMs = (h: string | null) => {
  if (!h) return undefined;
  const s = Number(h);
  if (Number.isFinite(s)) return Math.max(0, s * 1000);
  const at = Date.parse(h);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
};

function fetchTransport(url: string, headers: Readonly<Record<string, string>>, type: string) {
  const sendOnce = async (body: Uint8Array, timeoutMs: number): Promise<Sent> => {
    try {
      const res = await fetch(url, {
        method: 'POST',
        body: body as Uint8Array<ArrayBuffer>,
        headers: { ...headers, 'content-type': type },
        signal: AbortSignal.timeout(timeoutMs),
      });
      const data = new Uint8Array(await res.arrayBuffer());
      if (res.ok) return { status: 'success', data };
      if (RETRYABLE.has(res.status)) return { status: 'retryable', retryInMillis: retryAfterMs(res.headers.get('retry-after')) };
      return { status: 'failure', error: new Error(`OTLP export refused: HTTP ${res.status}`) };
    } catch (e) {
      return { status: 'retryable', error: e as Error };
    }
  };
  return {
    async send(body: Uint8Array, timeoutMs: number): Promise<Sent> {
      const deadline = Date.now() + timeoutMs;
      let backoff = FIRST_BACKOFF_MS;
      let sent = await sendOnce(body, timeoutMs);
      for (let n = 0; sent.status === 'retryable' && n < MAX_RETRIES; n++) {
        const wait = sent.retryInMillis ?? Math.min(backoff * (0.8 + Math.random() * 0.4), MAX_BACKOFF_MS);
        backoff *= 1.5;
        if (Date.now() + wait >= deadline) break;
        await Bun.sleep(wait);
        sent = await sendOnce(body, deadline - Date.now());
      }
      return sent;
    },
    shutdown() {},
  };
}

// The exporter's own self-metrics (otel.sdk.exporter.*) are not collected: nothing reads them
const NO_METRICS = { startExport: () => () => {} };

const PROTOBUF: ISerializer<ReadableSpan[], unknown> = {
  serializeRequest: encodeSpans,
  deserializeResponse: ProtobufTraceSerializer.deserializeResponse,
};

/** OTEL_EXPORTER_OTLP_TRACES_PROTOCOL (the setting's values; grpc is not offered). */
export type Protocol = 'http/json' | 'http/protobuf';

/** An OTLP/HTTP exporter of `T` to `url` over fetch. */
function otlpExporter<T>(
  url: string,
  headers: Readonly<Record<string, string>>,
  serializer: ISerializer<T, unknown>,
  type: string,
): OTLPExporterBase<T> {
  const delegate = createOtlpNetworkExportDelegate(
    { timeoutMillis: TIMEOUT_MS, concurrencyLimit: CONCURRENCY, compression: 'none' },
    serializer,
    NO_METRICS as unknown as ExporterMetrics<T>,
    fetchTransport(url, headers, type),
  );
  return new OTLPExporterBase(delegate);
}

/** Exports spans as OTLP/HTTP (protobuf or JSON) to `url` (…/v1/traces). */
export function createSpanExporter(
  url: string,
  headers: Readonly<Record<string, string>> = {},
  protocol: Protocol = 'http/protobuf',
): OTLPExporterBase<ReadableSpan[]> {
  return protocol === 'http/json'
    ? otlpExporter(url, headers, JsonTraceSerializer, 'application/json')
    : otlpExporter(url, headers, PROTOBUF, 'application/x-protobuf');
}

/** Exports log records as OTLP/HTTP JSON to `url` (…/v1/logs). */
export function createLogExporter(url: string, headers: Readonly<Record<string, string>> = {}): OTLPExporterBase<ReadableLogRecord[]> {
  return otlpExporter(url, headers, JsonLogsSerializer, 'application/json');
}
