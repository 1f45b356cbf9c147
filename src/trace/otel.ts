// The tracing port over the OpenTelemetry SDK: OTLP/HTTP export in batches, W3C trace context in and
// out, the standard OTEL_* sampler settings. Loaded by app.ts only when an OTLP endpoint is set.
// Context lives in an AsyncLocalStorage of this tracer's own: no global OpenTelemetry state, so two
// gateways in one process (tests) keep their traces apart.
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  type Context,
  defaultTextMapGetter,
  type Span as OtelSpan,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  type Sampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { redactText } from '../util/redact.ts';
import type { AttributeValue, Span, SpanAttributes, SpanOptions, Tracer } from './tracer.ts';

export interface OtelOptions {
  /** OTEL_EXPORTER_OTLP_ENDPOINT: base URL; traces go to <endpoint>/v1/traces. */
  readonly endpoint: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly serviceName: string;
  readonly serviceVersion: string;
  /** OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG. */
  readonly sampler: string;
  readonly samplerArg?: string;
  /** Export delay of the batch processor (ms). */
  readonly scheduledDelayMs?: number;
}

export const SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;

export function createSampler(name: string, arg?: string): Sampler {
  const ratio = arg === undefined || arg === '' ? 1 : Number(arg);
  const root = (kind: string): Sampler =>
    kind === 'always_off' ? new AlwaysOffSampler() : kind === 'traceidratio' ? new TraceIdRatioBasedSampler(ratio) : new AlwaysOnSampler();
  return name.startsWith('parentbased_') ? new ParentBasedSampler({ root: root(name.slice('parentbased_'.length)) }) : root(name);
}

const KINDS = { internal: SpanKind.INTERNAL, server: SpanKind.SERVER, client: SpanKind.CLIENT } as const;

// Last line of defence: an attribute value that holds a registered secret is masked before export
const clean = (v: AttributeValue) => (typeof v === 'string' ? redactText(v) : v);
const cleanAll = (attrs: SpanAttributes | undefined) => {
  if (!attrs) return undefined;
  const out: Record<string, AttributeValue> = {};
  for (const k in attrs) if (attrs[k] !== undefined) out[k] = clean(attrs[k]);
  return out;
};

const errorType = (e: unknown) => {
  const code = (e as { code?: unknown })?.code;
  return typeof code === 'string' && /^[A-Z_]{1,40}$/.test(code) ? code : ((e as Error)?.name ?? 'Error');
};

function wrap(span: OtelSpan, propagator: W3CTraceContextPropagator, ctx: Context): Span {
  return {
    set: (k, v) => void (v !== undefined && span.setAttribute(k, clean(v))),
    fail: (type) => {
      span.setAttribute('error.type', type);
      span.setStatus({ code: SpanStatusCode.ERROR });
    },
    inject: (set) => propagator.inject(ctx, set, { set: (c, k, v) => c(k, v) }),
  };
}

export function createOtelTracer(opts: OtelOptions): Tracer {
  const exporter = new OTLPTraceExporter({
    url: `${opts.endpoint.replace(/\/+$/, '')}/v1/traces`,
    ...(opts.headers && { headers: { ...opts.headers } }),
  });
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': opts.serviceName, 'service.version': opts.serviceVersion }),
    sampler: createSampler(opts.sampler, opts.samplerArg),
    spanProcessors: [new BatchSpanProcessor({ exporter, scheduledDelayMillis: opts.scheduledDelayMs ?? 1000, maxQueueSize: 8192 })],
  });
  const tracer = provider.getTracer('nexus', opts.serviceVersion);
  const propagator = new W3CTraceContextPropagator();
  const store = new AsyncLocalStorage<Context>();
  const active = () => store.getStore() ?? ROOT_CONTEXT;

  const parentOf = (o: SpanOptions | undefined) =>
    o?.remote ? propagator.extract(ROOT_CONTEXT, o.remote, defaultTextMapGetter) : active();

  const start = (name: string, o: SpanOptions | undefined) => {
    const parent = parentOf(o);
    const span = tracer.startSpan(
      name,
      { kind: KINDS[o?.kind ?? 'internal'], ...(o?.startTime && { startTime: o.startTime }), attributes: cleanAll(o?.attributes) },
      parent,
    );
    return { span, ctx: trace.setSpan(parent, span) };
  };

  return {
    enabled: true,
    span<T>(name: string, o: SpanOptions | undefined, fn: (span: Span) => T): T {
      const { span, ctx } = start(name, o);
      const fail = (e: unknown) => {
        span.setAttribute('error.type', errorType(e));
        span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      };
      let out: T;
      try {
        out = store.run(ctx, fn, wrap(span, propagator, ctx));
      } catch (e) {
        fail(e);
        throw e;
      }
      if (out instanceof Promise) {
        return out.then(
          (v) => {
            span.end();
            return v;
          },
          (e) => {
            fail(e);
            throw e;
          },
        ) as T;
      }
      span.end();
      return out;
    },
    record(name, startTime, endTime, o) {
      const { span } = start(name, { ...o, startTime });
      if (o?.errorType) {
        span.setAttribute('error.type', o.errorType);
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end(endTime);
    },
    active() {
      const sc = trace.getSpan(active())?.spanContext();
      return sc && sc.traceFlags & 1 ? { traceId: sc.traceId, spanId: sc.spanId } : undefined;
    },
    flush: () => provider.forceFlush(),
    close: () => provider.shutdown(),
  };
}
