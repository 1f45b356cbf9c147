// The tracing port over OpenTelemetry, spans captured by the SDK's in-memory exporter: the tree,
// attributes and status the exporter receives, sampling decisions (children follow their local
// parent; a remote parent's flag counts for parent-based samplers), ids and traceparent, masking.
import { afterEach, describe, expect, test } from 'bun:test';
import { randomBytes } from 'node:crypto';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { createOtelTracer } from '../../../src/trace/otel.ts';
import { hrTime, spanId, traceId } from '../../../src/trace/recorded.ts';
import type { Tracer } from '../../../src/trace/tracer.ts';
import { registerSecret } from '../../../src/util/redact.ts';

let open: Tracer[] = [];
afterEach(async () => {
  for (const t of open) await t.close();
  open = [];
});

function tracer(sampler = 'always_on', samplerArg?: string) {
  const exporter = new InMemorySpanExporter();
  const t = createOtelTracer({
    endpoint: 'http://127.0.0.1:9',
    serviceName: 'unit',
    serviceVersion: '1.2.3',
    sampler,
    ...(samplerArg !== undefined && { samplerArg }),
    exporter,
  });
  open.push(t);
  const spans = async (): Promise<ReadableSpan[]> => {
    await t.flush();
    return exporter.getFinishedSpans();
  };
  return { t, spans };
}

const byName = (spans: readonly ReadableSpan[], name: string) => spans.find((s) => s.name === name)!;

describe('spans as the exporter receives them', () => {
  test('children point at their parent in one trace; kinds, attributes and the resource are kept', async () => {
    const { t, spans } = tracer();
    await t.span('server', { kind: 'server', attributes: { 'http.route': '/mcp', absent: undefined } }, async (s) => {
      t.record('nexus.access', 1_700_000_000_000.25, 1_700_000_000_001, { attributes: { 'nexus.access.decision': 'allowed' } });
      await t.span('GET /x', { kind: 'client' }, async (c) => c.set('http.response.status_code', 200));
      s.set('http.response.status_code', 200);
    });
    const got = await spans();
    expect(got.map((s) => s.name).sort()).toEqual(['GET /x', 'nexus.access', 'server']);
    const server = byName(got, 'server');
    expect(server.parentSpanContext).toBeUndefined();
    expect(server.kind).toBe(SpanKind.SERVER);
    expect(server.attributes).toEqual({ 'http.route': '/mcp', 'http.response.status_code': 200 });
    expect(server.resource.attributes).toMatchObject({ 'service.name': 'unit', 'service.version': '1.2.3' });
    expect(server.instrumentationScope).toEqual({ name: 'nexus', version: '1.2.3' });
    for (const name of ['GET /x', 'nexus.access']) {
      const child = byName(got, name);
      expect(child.spanContext().traceId).toBe(server.spanContext().traceId);
      expect(child.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    }
    expect(byName(got, 'GET /x').kind).toBe(SpanKind.CLIENT);
    const access = byName(got, 'nexus.access');
    expect(access.startTime).toEqual([1_700_000_000, 250_000]);
    expect(access.endTime).toEqual([1_700_000_000, 1_000_000]);
    expect(access.ended).toBe(true);
  });

  test('a throw, sync or async, marks the span failed with the error code and lets the error through', async () => {
    const { t, spans } = tracer();
    const err = Object.assign(new Error('no'), { code: 'RATE_LIMITED' });
    expect(() =>
      t.span('sync', undefined, () => {
        throw err;
      }),
    ).toThrow(err);
    await expect(t.span('async', undefined, async () => Promise.reject(new TypeError('x')))).rejects.toThrow('x');
    const got = await spans();
    expect(byName(got, 'sync').status.code).toBe(SpanStatusCode.ERROR);
    expect(byName(got, 'sync').attributes['error.type']).toBe('RATE_LIMITED');
    expect(byName(got, 'async').attributes['error.type']).toBe('TypeError');
  });

  test('a registered secret in an attribute value is masked', async () => {
    const secret = randomBytes(12).toString('hex');
    registerSecret(secret);
    const { t, spans } = tracer();
    t.span('x', { attributes: { 'user_agent.original': `agent ${secret}` } }, (s) => s.set('late', secret));
    const [span] = await spans();
    expect(JSON.stringify(span!.attributes)).not.toContain(secret);
    expect(span!.attributes['user_agent.original']).toBe('agent [REDACTED]');
  });
});

describe('sampling and trace context', () => {
  const remote = (flags: '00' | '01') => ({ traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-${flags}` });

  test('a remote parent continues its trace; its flag decides for a parent-based sampler', async () => {
    const { t, spans } = tracer('parentbased_always_on');
    t.span('sampled', { kind: 'server', remote: remote('01') }, () => t.span('child', undefined, () => {}));
    let injected = '';
    t.span('unsampled', { kind: 'server', remote: remote('00') }, () =>
      t.span('child2', undefined, (s) => {
        expect(t.active()).toBeUndefined();
        s.inject((k, v) => (injected = k === 'traceparent' ? v : injected));
      }),
    );
    const got = await spans();
    expect(got.map((s) => s.name).sort()).toEqual(['child', 'sampled']);
    expect(byName(got, 'sampled').spanContext().traceId).toBe('a'.repeat(32));
    expect(byName(got, 'sampled').parentSpanContext).toMatchObject({ spanId: 'b'.repeat(16), isRemote: true });
    // an unsampled span still passes the trace on, marked not sampled
    expect(injected).toMatch(new RegExp(`^00-${'a'.repeat(32)}-[0-9a-f]{16}-00$`));
  });

  test('children follow the ratio sampler decision of their root, so traces are whole or absent', async () => {
    const { t, spans } = tracer('traceidratio', '0.5');
    for (let i = 0; i < 200; i++) t.span('root', undefined, () => t.span('child', undefined, () => {}));
    const got = await spans();
    const roots = got.filter((s) => s.name === 'root');
    const children = got.filter((s) => s.name === 'child');
    expect(roots.length).toBeGreaterThan(0);
    expect(roots.length).toBeLessThan(200);
    expect(new Set(children.map((c) => c.parentSpanContext?.spanId))).toEqual(new Set(roots.map((r) => r.spanContext().spanId)));
  });

  test('always_off records nothing and still writes a traceparent', async () => {
    const { t, spans } = tracer('always_off');
    let header = '';
    t.span('x', { kind: 'client' }, (s) => s.inject((_k, v) => (header = v)));
    expect(await spans()).toEqual([]);
    expect(header).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
  });

  test('the traceparent an active span writes names its trace and span, sampled', async () => {
    const { t, spans } = tracer();
    let header = '';
    t.span('x', undefined, (s) => s.inject((_k, v) => (header = v)));
    const [span] = await spans();
    expect(header).toBe(`00-${span!.spanContext().traceId}-${span!.spanContext().spanId}-01`);
  });
});

describe('ids and times', () => {
  test('trace and span ids are lowercase hex of 32 and 16 characters, distinct, never all zero', () => {
    const spans = new Set(Array.from({ length: 2000 }, spanId));
    expect(spans.size).toBe(2000);
    for (const id of spans) expect(id).toMatch(/^(?!0{16})[0-9a-f]{16}$/);
    const traces = new Set(Array.from({ length: 2000 }, traceId));
    expect(traces.size).toBe(2000);
    for (const id of traces) expect(id).toMatch(/^(?!0{32})[0-9a-f]{32}$/);
  });

  test('epoch milliseconds become [seconds, nanoseconds] with nanoseconds below one second', () => {
    expect(hrTime(1_700_000_000_123.5)).toEqual([1_700_000_000, 123_500_000]);
    expect(hrTime(0)).toEqual([0, 0]);
    expect(hrTime(999.9999999)).toEqual([1, 0]); // rounds up into the next second
  });
});
