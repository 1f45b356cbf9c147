import { describe, expect, test } from 'bun:test';
import { resolveConfig } from '../../../src/config/config.ts';
import { openTracer, parseOtlpHeaders } from '../../../src/trace/open.ts';
import { createSampler } from '../../../src/trace/otel.ts';
import { headerContext, metaContext, NOOP_TRACER } from '../../../src/trace/tracer.ts';

describe('the no-op tracer', () => {
  test('runs the function and returns what it returns, sync or async', async () => {
    expect(NOOP_TRACER.span('x', undefined, () => 42)).toBe(42);
    expect(await NOOP_TRACER.span('x', undefined, async () => 'done')).toBe('done');
    expect(NOOP_TRACER.active()).toBeUndefined();
  });

  test('lets a throw through unchanged', () => {
    const err = new Error('boom');
    expect(() =>
      NOOP_TRACER.span('x', undefined, () => {
        throw err;
      }),
    ).toThrow(err);
  });
});

describe('trace context from clients', () => {
  const tp = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

  test('params._meta traceparent and tracestate are taken when well formed', () => {
    expect(metaContext({ traceparent: tp, tracestate: 'a=1' })).toEqual({ traceparent: tp, tracestate: 'a=1' });
    expect(metaContext({ traceparent: tp, tracestate: 'x'.repeat(600) })).toEqual({ traceparent: tp });
  });

  test('malformed or absent _meta trace context is ignored', () => {
    expect(metaContext(undefined)).toBeUndefined();
    expect(metaContext({ traceparent: 'not-a-traceparent' })).toBeUndefined();
    expect(metaContext({ traceparent: 42 })).toBeUndefined();
    expect(metaContext('x')).toBeUndefined();
  });

  test('HTTP headers give traceparent and tracestate', () => {
    expect(headerContext(new Headers({ traceparent: tp, tracestate: 'a=1' }))).toEqual({ traceparent: tp, tracestate: 'a=1' });
    expect(headerContext(new Headers())).toBeUndefined();
  });
});

describe('OTEL_* settings', () => {
  test('every standard sampler name builds the matching SDK sampler', () => {
    expect(createSampler('always_on').toString()).toBe('AlwaysOnSampler');
    expect(createSampler('always_off').toString()).toBe('AlwaysOffSampler');
    expect(createSampler('traceidratio', '0.25').toString()).toBe('TraceIdRatioBased{0.25}');
    expect(createSampler('parentbased_always_on').toString()).toStartWith('ParentBased{root=AlwaysOnSampler');
    expect(createSampler('parentbased_traceidratio', '0.1').toString()).toStartWith('ParentBased{root=TraceIdRatioBased{0.1}');
  });

  test('OTEL_EXPORTER_OTLP_HEADERS is a comma list of key=value with URL-encoded values', () => {
    expect(parseOtlpHeaders('api-key=abc%3D%3D, x-team = obs')).toEqual({ 'api-key': 'abc==', 'x-team': 'obs' });
    expect(parseOtlpHeaders(undefined)).toEqual({});
    expect(() => parseOtlpHeaders('novalue')).toThrow('OTEL_EXPORTER_OTLP_HEADERS: expected key=value pairs');
  });

  test('the OTEL_BSP_* batch settings default to large batches and refuse an empty one', async () => {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1' };
    const config = resolveConfig({}, env);
    expect([config.otelBspScheduleDelay, config.otelBspMaxExportBatchSize, config.otelBspMaxQueueSize]).toEqual([1000, 2048, 8192]);
    const tracer = await openTracer(resolveConfig({}, { ...env, OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '100' }), '0');
    expect(tracer.enabled).toBe(true);
    await tracer.close();
    await expect(openTracer(resolveConfig({}, { ...env, OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '0' }), '0')).rejects.toThrow(
      'OTEL_BSP_MAX_EXPORT_BATCH_SIZE: expected at least 1 span',
    );
  });
});
