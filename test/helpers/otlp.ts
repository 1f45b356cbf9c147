// A stand-in OpenTelemetry collector: an OTLP/HTTP receiver on port 0 that decodes the export of
// traces (/v1/traces, JSON or protobuf) and logs (/v1/logs, JSON) into flat records.
import { decodeTraces } from './otlp-decode.ts';

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: 'internal' | 'server' | 'client' | 'producer' | 'consumer' | 'unspecified';
  start: bigint;
  attributes: Record<string, unknown>;
  status: 'unset' | 'ok' | 'error';
  service?: string;
}

export interface ReceivedLog {
  body: unknown;
  attributes: Record<string, unknown>;
  traceId?: string;
  spanId?: string;
  service?: string;
}

type AnyValue = {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
  kvlistValue?: { values: KeyValue[] };
  arrayValue?: { values: AnyValue[] };
};
type KeyValue = { key: string; value: AnyValue };

const KINDS = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'] as const;
const STATUS = ['unset', 'ok', 'error'] as const;

export function anyValue(v: AnyValue | undefined): unknown {
  if (!v) return undefined;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.kvlistValue) return attrs(v.kvlistValue.values);
  if (v.arrayValue) return v.arrayValue.values.map(anyValue);
  return undefined;
}
const attrs = (kvs: KeyValue[] | undefined) => Object.fromEntries((kvs ?? []).map((kv) => [kv.key, anyValue(kv.value)]));

export function startOtlpReceiver() {
  const spans: ReceivedSpan[] = [];
  const logs: ReceivedLog[] = [];
  const raw: string[] = [];
  const problems: string[] = [];
  const protobuf: number[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(req) {
      const path = new URL(req.url).pathname;
      const type = req.headers.get('content-type') ?? '';
      const bytes = new Uint8Array(await req.arrayBuffer());
      const text = new TextDecoder().decode(bytes);
      raw.push(text);
      if (path === '/v1/traces' && type.startsWith('application/x-protobuf')) {
        try {
          spans.push(...decodeTraces(bytes));
        } catch (e) {
          problems.push(`${path}: ${(e as Error).message}`);
        }
        protobuf.push(bytes.length);
        return new Response(new Uint8Array(0), { headers: { 'content-type': 'application/x-protobuf' } });
      }
      if (!type.startsWith('application/json')) {
        problems.push(`${path}: content-type ${type} (this receiver decodes OTLP JSON, and protobuf traces)`);
        return new Response('unsupported', { status: 415 });
      }
      const body = JSON.parse(text);
      if (path === '/v1/traces') {
        for (const rs of body.resourceSpans ?? []) {
          const service = attrs(rs.resource?.attributes)['service.name'] as string | undefined;
          for (const ss of rs.scopeSpans ?? [])
            for (const s of ss.spans ?? [])
              spans.push({
                traceId: s.traceId,
                spanId: s.spanId,
                ...(s.parentSpanId && { parentSpanId: s.parentSpanId }),
                name: s.name,
                kind: KINDS[s.kind ?? 0]!,
                start: BigInt(s.startTimeUnixNano),
                attributes: attrs(s.attributes),
                status: STATUS[s.status?.code ?? 0]!,
                service,
              });
        }
      } else if (path === '/v1/logs') {
        for (const rl of body.resourceLogs ?? []) {
          const service = attrs(rl.resource?.attributes)['service.name'] as string | undefined;
          for (const sl of rl.scopeLogs ?? [])
            for (const l of sl.logRecords ?? [])
              logs.push({
                body: anyValue(l.body),
                attributes: attrs(l.attributes),
                ...(l.traceId && { traceId: l.traceId }),
                ...(l.spanId && { spanId: l.spanId }),
                service,
              });
        }
      } else problems.push(`unexpected path ${path}`);
      return Response.json({});
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    spans,
    logs,
    /** Every export body as received, to search for secrets in any encoding. */
    raw,
    /** The size of each protobuf trace export (JSON ones are not counted). */
    protobuf,
    problems,
    stop: () => server.stop(true),
  };
}

export interface SpanNode {
  name: string;
  kind: ReceivedSpan['kind'];
  children?: SpanNode[];
}

/** The tree under `root`: children sorted by name (code point order), leaves without a children key. */
export function spanTree(spans: readonly ReceivedSpan[], root: ReceivedSpan): SpanNode {
  const children = spans
    .filter((s) => s.parentSpanId === root.spanId && s.traceId === root.traceId)
    .map((s) => spanTree(spans, s))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { name: root.name, kind: root.kind, ...(children.length && { children }) };
}
