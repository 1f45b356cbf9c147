// One span as the tracing port's implementation keeps it: the port's Span (set, fail, inject) and the
// SDK's ReadableSpan in one object, so the official BatchSpanProcessor and OTLP exporter take it as
// it is. It is lean on purpose: a call opens about seven spans, and the SDK's own span (attribute
// sanitising, an OpenTelemetry Context per span, hrtime tuples, metrics hooks) cost more than the
// call. Attribute values are the port's primitives (string, number, boolean), so they need no
// sanitising; times stay epoch milliseconds until the exporter asks for them as hrtime. Nothing is
// copied while the call runs: the span keeps the attributes it opened with (the caller's object, often
// one shared per tool) and the pairs set later, and the exporter masks and merges them in its batch.
import { randomFillSync } from 'node:crypto';
import { type HrTime, type SpanContext, SpanKind, type SpanStatus, SpanStatusCode, type TraceState } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace';
import { redactText } from '../util/redact.ts';
import { MIN_SECRET } from '../util/secret-match.ts';
import type { AttributeValue, SpanKind as PortKind, SpanAttributes, Span as SpanPort } from './tracer.ts';

const KINDS = { internal: SpanKind.INTERNAL, server: SpanKind.SERVER, client: SpanKind.CLIENT } as const;
const UNSET: SpanStatus = Object.freeze({ code: SpanStatusCode.UNSET });
const ERROR: SpanStatus = Object.freeze({ code: SpanStatusCode.ERROR });
const NONE: never[] = Object.freeze([]) as unknown as never[];

// Ids: 64-bit span and 128-bit trace ids as lowercase hex, cut from a pool of random hex that one
// randomFillSync call refills every 512 span ids (W3C Trace Context: random, never all zero)
const random = Buffer.alloc(4096);
let pool = '';
let at = 0;
const hex16 = (): string => {
  if (at >= pool.length) {
    pool = randomFillSync(random).toString('hex');
    at = 0;
  }
  at += 16;
  return pool.slice(at - 16, at);
};
const ZERO = '0000000000000000';
export const spanId = (): string => {
  const id = hex16();
  return id === ZERO ? spanId() : id;
};
export const traceId = (): string => spanId() + hex16();

/** Epoch milliseconds as an OpenTelemetry hrtime: [seconds, nanoseconds]. */
export function hrTime(ms: number): HrTime {
  const seconds = Math.floor(ms / 1000);
  const nanos = Math.round((ms - seconds * 1000) * 1e6);
  return nanos >= 1e9 ? [seconds + 1, nanos - 1e9] : [seconds, nanos];
}

/** What every span of one tracer shares: where it goes and what it is part of. */
export interface SpanSink {
  readonly processor: SpanProcessor;
  readonly resource: Resource;
  readonly instrumentationScope: InstrumentationScope;
}

// Last line of defence: an attribute value that holds a registered secret is masked before export,
// with the secrets known then (a string shorter than the shortest secret cannot hold one: "POST",
// "/mcp", a status code)
export const clean = (v: AttributeValue): AttributeValue => (typeof v === 'string' && v.length >= MIN_SECRET ? redactText(v) : v);

export class RecordedSpan implements SpanPort, ReadableSpan, SpanContext {
  readonly kind: SpanKind;
  status: SpanStatus = UNSET;
  endMs = 0;
  readonly traceFlags: number;
  /** The attributes set after the span opened, as key, value pairs, one per key. */
  extra: AttributeValue[] | undefined = undefined;
  private merged: Record<string, AttributeValue> | undefined = undefined;

  constructor(
    private readonly sink: SpanSink,
    readonly name: string,
    kind: PortKind | undefined,
    readonly traceId: string,
    readonly spanId: string,
    /** Unsampled spans record nothing and export nothing; they still propagate their ids. */
    readonly sampled: boolean,
    readonly parentSpanContext: SpanContext | undefined,
    readonly traceState: TraceState | undefined,
    readonly startMs: number,
    /** The attributes the span opened with: the caller's object, read only at export. */
    readonly base: SpanAttributes | undefined,
  ) {
    this.kind = KINDS[kind ?? 'internal'];
    this.traceFlags = sampled ? 1 : 0;
  }

  set(key: string, value: AttributeValue | undefined): void {
    if (!this.sampled || value === undefined) return;
    this.merged = undefined;
    const extra = (this.extra ??= []);
    for (let i = 0; i < extra.length; i += 2) {
      if (extra[i] === key) {
        extra[i + 1] = value;
        return;
      }
    }
    extra.push(key, value);
  }

  fail(errorType: string): void {
    if (!this.sampled) return;
    this.set('error.type', errorType);
    this.status = ERROR;
  }

  /** Whether a key set later was also an opening attribute (the exporter then merges them first). */
  overrides(): boolean {
    const { base, extra } = this;
    if (!base || !extra) return false;
    for (let i = 0; i < extra.length; i += 2) if (base[extra[i] as string] !== undefined) return true;
    return false;
  }

  /** The attributes as exported: opening ones, then those set later (the later value wins), masked. */
  get attributes(): Record<string, AttributeValue> {
    if (this.merged) return this.merged;
    const out: Record<string, AttributeValue> = {};
    const { base, extra } = this;
    if (base) for (const k in base) if (base[k] !== undefined) out[k] = clean(base[k]);
    if (extra) for (let i = 0; i < extra.length; i += 2) out[extra[i] as string] = clean(extra[i + 1]!);
    if (this.endMs) this.merged = out;
    return out;
  }

  /** The W3C traceparent (and tracestate) of this span, for an outgoing request. */
  inject(set: (key: string, value: string) => void): void {
    set('traceparent', `00-${this.traceId}-${this.spanId}-0${this.traceFlags}`);
    const state = this.traceState?.serialize();
    if (state) set('tracestate', state);
  }

  end(endMs: number): void {
    if (this.endMs) return;
    this.endMs = endMs;
    if (this.sampled) this.sink.processor.onEnd(this);
  }

  // ReadableSpan, read by the exporter in its batch (off the call's path)
  spanContext(): SpanContext {
    return this;
  }
  get startTime(): HrTime {
    return hrTime(this.startMs);
  }
  get endTime(): HrTime {
    return hrTime(this.endMs);
  }
  get duration(): HrTime {
    return hrTime(this.endMs - this.startMs);
  }
  get ended(): boolean {
    return this.endMs !== 0;
  }
  get resource(): Resource {
    return this.sink.resource;
  }
  get instrumentationScope(): InstrumentationScope {
    return this.sink.instrumentationScope;
  }
  // the same for every span: on the prototype, not written per span
  declare readonly links: never[];
  declare readonly events: never[];
  declare readonly droppedAttributesCount: number;
  declare readonly droppedEventsCount: number;
  declare readonly droppedLinksCount: number;
}
Object.assign(RecordedSpan.prototype, {
  links: NONE,
  events: NONE,
  droppedAttributesCount: 0,
  droppedEventsCount: 0,
  droppedLinksCount: 0,
});
