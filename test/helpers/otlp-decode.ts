// A reader of OTLP protobuf trace exports (ExportTraceServiceRequest) for the stand-in collector:
// the protobuf wire format read field by field (no schema compiler in node_modules), with the field
// numbers of opentelemetry/proto/trace/v1/trace.proto and common/v1/common.proto.
import type { ReceivedSpan } from './otlp.ts';

type Field = { n: number; varint: bigint; bytes: Uint8Array };

/** The fields of one message, in order: varints (and fixed ints) as bigint, the rest as bytes. */
function* fields(b: Uint8Array): Generator<Field> {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let at = 0;
  const varint = () => {
    let v = 0n;
    for (let shift = 0n; ; shift += 7n) {
      if (at >= b.length) throw new Error('truncated varint');
      const byte = b[at++]!;
      v |= BigInt(byte & 127) << shift;
      if (byte < 128) return v;
    }
  };
  while (at < b.length) {
    const key = Number(varint());
    const wire = key & 7;
    const n = key >>> 3;
    const none = new Uint8Array(0);
    if (wire === 0) yield { n, varint: varint(), bytes: none };
    else if (wire === 1) {
      yield { n, varint: view.getBigUint64(at, true), bytes: b.subarray(at, at + 8) };
      at += 8;
    } else if (wire === 5) {
      yield { n, varint: BigInt(view.getUint32(at, true)), bytes: b.subarray(at, at + 4) };
      at += 4;
    } else if (wire === 2) {
      const len = Number(varint());
      if (at + len > b.length) throw new Error('truncated length-delimited field');
      yield { n, varint: 0n, bytes: b.subarray(at, at + len) };
      at += len;
    } else throw new Error(`wire type ${wire} of field ${n}`);
  }
}

const text = (b: Uint8Array) => new TextDecoder('utf-8', { fatal: true }).decode(b);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const int64 = (v: bigint) => Number(BigInt.asIntN(64, v));

function anyValue(b: Uint8Array): unknown {
  for (const f of fields(b)) {
    if (f.n === 1) return text(f.bytes);
    if (f.n === 2) return f.varint !== 0n;
    if (f.n === 3) return int64(f.varint);
    if (f.n === 4) return new DataView(f.bytes.buffer, f.bytes.byteOffset, 8).getFloat64(0, true);
    if (f.n === 5) return [...fields(f.bytes)].map((v) => anyValue(v.bytes));
    if (f.n === 6) return keyValues([...fields(f.bytes)].map((v) => v.bytes));
    if (f.n === 7) return new Uint8Array(f.bytes);
  }
  return undefined;
}
function keyValues(kvs: Uint8Array[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of kvs) {
    let key = '';
    let value: unknown;
    for (const f of fields(kv)) {
      if (f.n === 1) key = text(f.bytes);
      else if (f.n === 2) value = anyValue(f.bytes);
    }
    out[key] = value;
  }
  return out;
}
const repeated = (b: Uint8Array, n: number) => [...fields(b)].filter((f) => f.n === n).map((f) => f.bytes);

const KINDS = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'] as const;
const STATUS = ['unset', 'ok', 'error'] as const;

/** The spans of an OTLP protobuf trace export, as the JSON path of the receiver records them. */
export function decodeTraces(body: Uint8Array): ReceivedSpan[] {
  const spans: ReceivedSpan[] = [];
  for (const rs of repeated(body, 1)) {
    const resource = repeated(rs, 1)[0];
    const service = resource && (keyValues(repeated(resource, 1))['service.name'] as string | undefined);
    for (const ss of repeated(rs, 2))
      for (const s of repeated(ss, 2)) {
        const span: ReceivedSpan = {
          traceId: '',
          spanId: '',
          name: '',
          kind: 'unspecified',
          start: 0n,
          attributes: {},
          status: 'unset',
          service,
        };
        const attrs: Uint8Array[] = [];
        for (const f of fields(s)) {
          if (f.n === 1) span.traceId = hex(f.bytes);
          else if (f.n === 2) span.spanId = hex(f.bytes);
          else if (f.n === 4 && f.bytes.length) span.parentSpanId = hex(f.bytes);
          else if (f.n === 5) span.name = text(f.bytes);
          else if (f.n === 6) span.kind = KINDS[Number(f.varint)]!;
          else if (f.n === 7) span.start = f.varint;
          else if (f.n === 9) attrs.push(f.bytes);
          else if (f.n === 15) for (const sf of fields(f.bytes)) if (sf.n === 3) span.status = STATUS[Number(sf.varint)]!;
        }
        span.attributes = keyValues(attrs);
        spans.push(span);
      }
  }
  return spans;
}
