// The tracing port: the core opens spans through it and never imports OpenTelemetry (otel.ts, loaded
// only when OTEL_EXPORTER_OTLP_ENDPOINT is set). Off, a span is a plain call of its function.
export type AttributeValue = string | number | boolean;
export type SpanAttributes = Readonly<Record<string, AttributeValue | undefined>>;
export type SpanKind = 'internal' | 'server' | 'client';

export interface Span {
  set(key: string, value: AttributeValue | undefined): void;
  /** Marks the span failed with a short error type (a NexusError code), never a message. */
  fail(errorType: string): void;
  /** Writes this span's W3C trace context (traceparent, tracestate) with `set`, for an outgoing request. */
  inject(set: (key: string, value: string) => void): void;
}

/** W3C trace context received from a client (HTTP headers or MCP `params._meta`). */
export interface RemoteContext {
  readonly traceparent?: string;
  readonly tracestate?: string;
}

export interface SpanOptions {
  readonly kind?: SpanKind;
  readonly attributes?: SpanAttributes;
  /** Parent from a client instead of the active span (server spans). */
  readonly remote?: RemoteContext;
  /** Epoch milliseconds, when the span began before it could be opened. */
  readonly startTime?: number;
}

export interface TraceIds {
  readonly traceId: string;
  readonly spanId: string;
}

export interface Tracer {
  readonly enabled: boolean;
  /**
   * Runs `fn` in a new span, child of the active one (or of `opts.remote`), and ends the span when `fn`
   * or the promise it returns settles; a throw marks it failed with the error's code.
   */
  span<T>(name: string, opts: SpanOptions | undefined, fn: (span: Span) => T): T;
  /** A finished child of the active span, for a step timed before its parent was opened. */
  record(name: string, startTime: number, endTime: number, opts?: SpanOptions & { errorType?: string }): void;
  /** Ids of the active span, for log lines and audit records; undefined when off or not sampled. */
  active(): TraceIds | undefined;
  /** Exports every finished span now. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export const NOOP_SPAN: Span = Object.freeze({ set() {}, fail() {}, inject() {} });

export const NOOP_TRACER: Tracer = Object.freeze({
  enabled: false,
  span: <T>(_name: string, _opts: SpanOptions | undefined, fn: (span: Span) => T): T => fn(NOOP_SPAN),
  record() {},
  active: () => undefined,
  flush: async () => {},
  close: async () => {},
});

const ORIGIN = performance.timeOrigin;
/** Epoch milliseconds with sub-millisecond precision, for `startTime`. */
export const nowMs = () => ORIGIN + performance.now();

const TRACEPARENT = /^[\da-f]{2}-[\da-f]{32}-[\da-f]{16}-[\da-f]{2}$/;

/** The W3C trace context in a `_meta` object (keys `traceparent`, `tracestate`), when well formed. */
export function metaContext(meta: unknown): RemoteContext | undefined {
  if (!meta || typeof meta !== 'object') return undefined;
  const { traceparent, tracestate } = meta as Record<string, unknown>;
  if (typeof traceparent !== 'string' || !TRACEPARENT.test(traceparent)) return undefined;
  return typeof tracestate === 'string' && tracestate.length <= 512 ? { traceparent, tracestate } : { traceparent };
}

/** The W3C trace context of an HTTP request's headers. */
export function headerContext(headers: Headers): RemoteContext | undefined {
  const traceparent = headers.get('traceparent');
  if (traceparent === null) return undefined;
  const tracestate = headers.get('tracestate');
  return tracestate === null ? { traceparent } : { traceparent, tracestate };
}
