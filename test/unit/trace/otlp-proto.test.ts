// Our OTLP protobuf encoder against the official one: for spans of every shape (attributes of every
// type, events, links, status, trace state, remote parents, several resources and scopes, unicode,
// long values whose lengths take more than one byte) the bytes are the same as
// ProtobufTraceSerializer's, and test/helpers/otlp-decode.ts reads them back to what was recorded.
import { expect, test } from 'bun:test';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { createOtelTracer } from '../../../src/trace/otel.ts';
import { encodeSpans, resetBuffer } from '../../../src/trace/otlp-proto.ts';
import { hrTime, spanId, traceId } from '../../../src/trace/recorded.ts';
import { registerSecret } from '../../../src/util/redact.ts';
import { decodeTraces } from '../../helpers/otlp-decode.ts';

const resource = resourceFromAttributes({ 'service.name': 'unit', 'service.version': '1.2.3', 'host.cores': 2 });
const other = resourceFromAttributes({ 'service.name': 'ünït ✓' });
const scope = { name: 'nexus', version: '1.2.3' };
const bare = { name: 'bare' };
const long = 'x'.repeat(300);

function span(over: Partial<ReadableSpan> & { name: string }): ReadableSpan {
  const tid = traceId();
  const sid = spanId();
  return {
    kind: SpanKind.INTERNAL,
    spanContext: () => ({ traceId: tid, spanId: sid, traceFlags: 1 }),
    startTime: hrTime(1_767_225_600_123.456),
    endTime: hrTime(1_767_225_600_125.75),
    duration: [0, 2_543_543],
    ended: true,
    status: { code: SpanStatusCode.UNSET },
    attributes: {},
    links: [],
    events: [],
    resource,
    instrumentationScope: scope,
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
    ...over,
  };
}

const parent = { traceId: traceId(), spanId: spanId(), traceFlags: 1 };
const spans: ReadableSpan[] = [
  span({
    name: 'every attribute type',
    kind: SpanKind.SERVER,
    attributes: {
      s: 'POST',
      empty: '',
      int: 42,
      zero: 0,
      negative: -7,
      big: 2 ** 40 + 3,
      max: Number.MAX_SAFE_INTEGER,
      double: 3.25,
      tiny: -1e-9,
      nan: Number.NaN,
      yes: true,
      no: false,
      strings: ['a', 'ß', ''],
      numbers: [1, 2.5, -3],
      bools: [true, false],
      mixed: ['a', 1, true, null],
      long,
      'clé ünïcode': 'värde — 日本語 🚀',
    },
  }),
  span({
    name: 'child with status, events and links ✓',
    kind: SpanKind.CLIENT,
    parentSpanContext: { ...parent, isRemote: true, traceState: new TraceState('vendor=abc,other=x') },
    status: { code: SpanStatusCode.ERROR, message: 'backend said nö' },
    events: [
      { name: 'exception', time: hrTime(1_767_225_600_124), attributes: { 'exception.type': 'Error', 'exception.message': long } },
      { name: 'bare event', time: [1_767_225_600, 999_999_999], droppedAttributesCount: 2 },
    ],
    links: [
      { context: { ...parent, traceState: new TraceState('a=1') }, attributes: { 'link.kind': 'follows' } },
      { context: { traceId: traceId(), spanId: spanId(), traceFlags: 0, isRemote: true }, droppedAttributesCount: 1 },
    ],
    droppedAttributesCount: 3,
    droppedEventsCount: 1,
    droppedLinksCount: 2,
  }),
  span({ name: 'ok', kind: SpanKind.PRODUCER, status: { code: SpanStatusCode.OK } }),
  span({ name: 'consumer', kind: SpanKind.CONSUMER, attributes: Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, i])) }),
  span({ name: 'other resource', resource: other, instrumentationScope: bare }),
  span({ name: 'other scope', instrumentationScope: bare }),
  span({ name: '', startTime: [0, 0], endTime: [4_102_444_800, 1] }),
];

test('the bytes are those of the official protobuf serializer, for spans of every shape', () => {
  expect(Buffer.from(encodeSpans(spans)).toString('hex')).toBe(
    Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!).toString('hex'),
  );
  for (const s of spans) expect(Buffer.from(encodeSpans([s]))).toEqual(Buffer.from(ProtobufTraceSerializer.serializeRequest([s])!));
  expect(encodeSpans([])).toEqual(ProtobufTraceSerializer.serializeRequest([])!);
});

test('a batch bigger than the encoder’s buffer comes out whole', () => {
  const many = Array.from({ length: 600 }, (_, i) => span({ name: `span ${i}`, attributes: { long, i } }));
  expect(Buffer.from(encodeSpans(many))).toEqual(Buffer.from(ProtobufTraceSerializer.serializeRequest(many)!));
});

test('the buffer grows at any position without losing a byte', () => {
  const official = Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!);
  for (let size = 1; size <= official.length + 1; size += 1) {
    resetBuffer(size);
    expect(Buffer.from(encodeSpans(spans)).equals(official)).toBe(true);
  }
});

test('the spans of the tracing port encode as the official serializer does, and decode to what was recorded', async () => {
  const exporter = new InMemorySpanExporter();
  const t = createOtelTracer({ endpoint: 'http://127.0.0.1:9', serviceName: 'unit', serviceVersion: '1', sampler: 'always_on', exporter });
  t.span('root', { kind: 'server', attributes: { 'http.request.method': 'POST', 'server.port': 8080 } }, (root) => {
    t.span('child', { kind: 'client' }, (c) => c.set('http.response.status_code', 502));
    t.record('failed', 1_767_225_600_000.5, 1_767_225_600_001.25, { errorType: 'UPSTREAM_TIMEOUT' });
    root.set('ratio', 0.5);
  });
  await t.flush();
  const recorded = exporter.getFinishedSpans();
  const bytes = encodeSpans(recorded);
  expect(Buffer.from(bytes)).toEqual(Buffer.from(ProtobufTraceSerializer.serializeRequest(recorded)!));
  const got = decodeTraces(bytes);
  const root = got.find((s) => s.name === 'root')!;
  expect(got.map((s) => [s.name, s.kind, s.status, s.service, s.parentSpanId === root.spanId])).toEqual([
    ['child', 'client', 'unset', 'unit', true],
    ['failed', 'internal', 'error', 'unit', true],
    ['root', 'server', 'unset', 'unit', false],
  ]);
  expect(root.attributes).toEqual({ 'http.request.method': 'POST', 'server.port': 8080, ratio: 0.5 });
  expect(got[1]!.start).toBe(1_767_225_600_000_500_000n);
  expect(got.every((s) => s.traceId === root.traceId && /^[0-9a-f]{32}$/.test(s.traceId))).toBe(true);
  await t.close();
});

test('a port span keeps its opening attributes unmerged: a later set wins, and the bytes stay the official ones', async () => {
  const exporter = new InMemorySpanExporter();
  const t = createOtelTracer({ endpoint: 'http://127.0.0.1:9', serviceName: 'unit', serviceVersion: '1', sampler: 'always_on', exporter });
  const shared = Object.freeze({ 'http.request.method': 'GET', 'url.template': '/items/{id}', absent: undefined });
  t.span('first', { attributes: shared }, (s) => {
    s.set('http.request.method', 'POST'); // an opening attribute set again
    s.set('late', 1);
    s.set('late', 2);
  });
  t.span('second', { attributes: shared }, (s) => s.fail('UPSTREAM_TIMEOUT'));
  await t.flush();
  const recorded = exporter.getFinishedSpans();
  const bytes = encodeSpans(recorded);
  expect(Buffer.from(bytes)).toEqual(Buffer.from(ProtobufTraceSerializer.serializeRequest(recorded)!));
  const got = decodeTraces(bytes);
  expect(got.find((s) => s.name === 'first')!.attributes).toEqual({
    'http.request.method': 'POST',
    'url.template': '/items/{id}',
    late: 2,
  });
  expect(got.find((s) => s.name === 'second')!.attributes).toEqual({
    'http.request.method': 'GET',
    'url.template': '/items/{id}',
    'error.type': 'UPSTREAM_TIMEOUT',
  });
  await t.close();
});

test('a secret registered after a value was encoded is masked in the next batch (the encoder forgets its copies)', async () => {
  const exporter = new InMemorySpanExporter();
  const t = createOtelTracer({ endpoint: 'http://127.0.0.1:9', serviceName: 'unit', serviceVersion: '1', sampler: 'always_on', exporter });
  const secret = `agent-${crypto.randomUUID()}`;
  const batch = async () => {
    exporter.reset();
    t.span('x', { attributes: { 'user_agent.original': secret } }, (s) => s.set('later', secret));
    await t.flush();
    return decodeTraces(encodeSpans(exporter.getFinishedSpans()))[0]!.attributes;
  };
  expect(await batch()).toEqual({ 'user_agent.original': secret, later: secret });
  registerSecret(secret);
  expect(await batch()).toEqual({ 'user_agent.original': '[REDACTED]', later: '[REDACTED]' });
  await t.close();
});
