// The tracing port over the OpenTelemetry SDK's pieces: its samplers (the standard OTEL_* settings),
// W3C trace context from clients, its BatchSpanProcessor and the OTLP/HTTP exporter, which serialises
// in batches off the call's path. The spans themselves are RecordedSpan (recorded.ts), not the SDK's
// tracer and span: those cost more than a call. Loaded by app.ts only when an OTLP endpoint is set.
// The active span lives in an AsyncLocalStorage of this tracer's own (no OpenTelemetry Context per
// span, no global state), so two gateways in one process (tests) keep their traces apart.
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  type Attributes,
  defaultTextMapGetter,
  isSpanContextValid,
  ROOT_CONTEXT,
  SamplingDecision,
  SpanKind,
  trace,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  type Sampler,
  type SpanExporter,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace';
import { settingDefault } from '../config/settings.ts';
import { createSpanExporter, type Protocol } from './export.ts';
import { RecordedSpan, type SpanSink, spanId, traceId } from './recorded.ts';
import { nowMs, type Span, type SpanAttributes, type SpanOptions, type Tracer } from './tracer.ts';

/** OTEL_BSP_SCHEDULE_DELAY, OTEL_BSP_MAX_EXPORT_BATCH_SIZE, OTEL_BSP_MAX_QUEUE_SIZE. */
export interface BatchSettings {
  readonly scheduledDelayMs: number;
  readonly maxExportBatchSize: number;
  readonly maxQueueSize: number;
}
// The settings table's defaults (src/config/settings.ts), for a tracer made without a Config: fewer,
// larger exports than the spec's 512 spans (one request carries ~290 calls of 7 spans instead of 73);
// the queue holds four batches and drops spans rather than slowing calls
export const BATCH: BatchSettings = {
  scheduledDelayMs: Number(settingDefault('otelBspScheduleDelay')),
  maxExportBatchSize: Number(settingDefault('otelBspMaxExportBatchSize')),
  maxQueueSize: Number(settingDefault('otelBspMaxQueueSize')),
};

const KINDS = { internal: SpanKind.INTERNAL, server: SpanKind.SERVER, client: SpanKind.CLIENT } as const;

export interface OtelOptions {
  /** OTEL_EXPORTER_OTLP_ENDPOINT: base URL; traces go to <endpoint>/v1/traces. */
  readonly endpoint: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly serviceName: string;
  readonly serviceVersion: string;
  /** OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG. */
  readonly sampler: string;
  readonly samplerArg?: string;
  /** The batch processor's OTEL_BSP_* settings (defaults: BATCH). */
  readonly batch?: Partial<BatchSettings>;
  /** OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: http/protobuf (the OTLP default) unless set. */
  readonly protocol?: Protocol;
  /** Instead of OTLP/HTTP to `endpoint` (benchmarks). */
  readonly exporter?: SpanExporter;
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

const errorType = (e: unknown) => {
  const code = (e as { code?: unknown })?.code;
  return typeof code === 'string' && /^[A-Z_]{1,40}$/.test(code) ? code : ((e as Error)?.name ?? 'Error');
};

export function createOtelTracer(opts: OtelOptions): Tracer {
  const exporter = opts.exporter ?? createSpanExporter(`${opts.endpoint.replace(/\/+$/, '')}/v1/traces`, opts.headers, opts.protocol);
  const batch = { ...BATCH, ...opts.batch };
  const sink: SpanSink = {
    processor: new BatchSpanProcessor({
      exporter,
      scheduledDelayMillis: batch.scheduledDelayMs,
      maxExportBatchSize: batch.maxExportBatchSize,
      maxQueueSize: Math.max(batch.maxQueueSize, batch.maxExportBatchSize),
    }),
    resource: resourceFromAttributes({ 'service.name': opts.serviceName, 'service.version': opts.serviceVersion }),
    instrumentationScope: { name: 'nexus', version: opts.serviceVersion },
  };
  const sampler = createSampler(opts.sampler, opts.samplerArg);
  const propagator = new W3CTraceContextPropagator();
  const store = new AsyncLocalStorage<RecordedSpan>();

  // A child of a span in this process takes its parent's sampling decision (for every standard
  // sampler that is the decision the sampler itself would make: parent-based ones follow the parent,
  // and the ratio sampler decides by trace id); only a span without a local parent asks the sampler
  const start = (name: string, o: SpanOptions | undefined, startMs: number) => {
    const local = o?.remote ? undefined : store.getStore();
    if (local) {
      return new RecordedSpan(sink, name, o?.kind, local.traceId, spanId(), local.sampled, local, local.traceState, startMs, o?.attributes);
    }
    const remote = o?.remote && trace.getSpanContext(propagator.extract(ROOT_CONTEXT, o.remote, defaultTextMapGetter));
    const parent = remote && isSpanContextValid(remote) ? remote : undefined;
    const tid = parent?.traceId ?? traceId();
    const kind = KINDS[o?.kind ?? 'internal'];
    const attrs = (o?.attributes ?? {}) as Attributes;
    const ctx = parent ? trace.setSpanContext(ROOT_CONTEXT, parent) : ROOT_CONTEXT;
    const decision = sampler.shouldSample(ctx, tid, name, kind, attrs, []);
    const span = new RecordedSpan(
      sink,
      name,
      o?.kind,
      tid,
      spanId(),
      decision.decision === SamplingDecision.RECORD_AND_SAMPLED,
      parent,
      decision.traceState ?? parent?.traceState,
      startMs,
      decision.attributes ? { ...o?.attributes, ...(decision.attributes as SpanAttributes) } : o?.attributes,
    );
    return span;
  };

  const failed = (span: RecordedSpan, e: unknown) => {
    span.fail(errorType(e));
    span.end(nowMs());
  };

  return {
    enabled: true,
    span<T>(name: string, o: SpanOptions | undefined, fn: (span: Span) => T): T {
      const span = start(name, o, o?.startTime ?? nowMs());
      let out: T;
      try {
        out = store.run(span, fn, span);
      } catch (e) {
        failed(span, e);
        throw e;
      }
      // the span ends in a reaction to the function's own promise, registered before the caller's:
      // the caller awaits that promise itself (no second one per span) and resumes once the span ended
      if (out instanceof Promise) {
        out.then(
          () => span.end(nowMs()),
          (e) => failed(span, e),
        );
        return out;
      }
      span.end(nowMs());
      return out;
    },
    record(name, startTime, endTime, o) {
      const span = start(name, o, startTime);
      if (o?.errorType) span.fail(o.errorType);
      span.end(endTime);
    },
    active() {
      const span = store.getStore();
      return span?.sampled ? span : undefined;
    },
    flush: () => sink.processor.forceFlush(),
    close: () => sink.processor.shutdown(),
  };
}
