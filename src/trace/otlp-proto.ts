// OTLP protobuf (an ExportTraceServiceRequest) for a batch of spans, written in one pass into one
// growing buffer that is reused between batches. It writes the same bytes as the official
// ProtobufTraceSerializer (test/unit/trace/otlp-proto.test.ts compares them), for less CPU: no size
// estimating pass, ids parsed from hex straight into the buffer, and the parts that repeat encoded
// once (the resource and scope of a tracer, attribute keys). Field numbers are those of
// opentelemetry/proto/trace/v1/trace.proto and common/v1/common.proto (as in the official serializer):
//   ResourceSpans: resource 1, scope_spans 2, schema_url 3    Resource: attributes 1, dropped 2
//   ScopeSpans: scope 1, spans 2, schema_url 3   InstrumentationScope: name 1, version 2, attributes 3
//   Span: trace_id 1, span_id 2, trace_state 3, parent_span_id 4, name 5, kind 6, start 7 and end 8
//     (fixed64 ns), attributes 9, dropped_attributes 10, events 11, dropped_events 12, links 13,
//     dropped_links 14, status 15 (message 2, code 3), flags 16 (fixed32)
//   Event: time 1, name 2, attributes 3, dropped 4   Link: trace_id 1, span_id 2, trace_state 3,
//     attributes 4, dropped 5, flags 6   KeyValue: key 1, value 2   AnyValue: string 1, bool 2,
//     int 3, double 4, array 5 (values 1), kvlist 6 (values 1), bytes 7
import type { HrTime } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { RecordedSpan } from './recorded.ts';

let buf = new Uint8Array(1 << 16);
let view = new DataView(buf.buffer);
let pos = 0;
const utf8 = new TextEncoder();

const tag = (b: number) => {
  if (pos >= buf.length) room(1);
  buf[pos++] = b;
};

const room = (n: number) => {
  if (pos + n <= buf.length) return;
  let size = buf.length * 2;
  while (size < pos + n) size *= 2;
  const next = new Uint8Array(size);
  next.set(buf.subarray(0, pos));
  buf = next;
  view = new DataView(buf.buffer);
};

/** A varint of an unsigned 32-bit value (tags, lengths, enums, counts). */
const u32 = (v: number) => {
  while (v > 127) {
    buf[pos++] = (v & 127) | 128;
    v >>>= 7;
  }
  buf[pos++] = v;
};

/** An int64 varint of an integer number (negative ones as ten-byte two's complement). */
const i64 = (v: number) => {
  if (v >= 0 && v <= 0xffffffff) return u32(v >>> 0);
  room(10);
  const abs = Math.abs(v);
  let low = abs >>> 0;
  let high = (abs / 4294967296) >>> 0;
  if (v < 0) {
    high = ~high >>> 0;
    low = (~low + 1) >>> 0;
    if (low === 0) high = (high + 1) >>> 0;
  }
  while (high > 0 || low > 127) {
    buf[pos++] = (low & 127) | 128;
    low = ((low >>> 7) | (high << 25)) >>> 0;
    high >>>= 7;
  }
  buf[pos++] = low;
};

const fixed32 = (v: number) => {
  room(4);
  buf[pos++] = v;
  buf[pos++] = v >>> 8;
  buf[pos++] = v >>> 16;
  buf[pos++] = v >>> 24;
};

/** Seconds and nanoseconds as fixed64 nanoseconds, exact (the product exceeds 2^53). */
const time = (s: number, ns: number) => {
  const lo16 = (s & 0xffff) * 1e9;
  const hi = ((s / 65536) >>> 0) * 1e9;
  const low = (lo16 >>> 0) + ((((hi & 0xffff) * 65536) >>> 0) + ns);
  fixed32(low >>> 0);
  fixed32((Math.floor(lo16 / 4294967296) + ((hi / 65536) >>> 0) + Math.floor(low / 4294967296)) >>> 0);
};
const hrTime = (t: HrTime) => time(t[0], t[1]);
/** Epoch milliseconds (RecordedSpan's times) as recorded.ts hrTime() turns them into nanoseconds. */
const msTime = (ms: number) => {
  const s = Math.floor(ms / 1000);
  const ns = Math.round((ms - s * 1000) * 1e6);
  return ns >= 1e9 ? time(s + 1, ns - 1e9) : time(s, ns);
};

const str = (s: string) => {
  const n = s.length;
  room(n + 5);
  const start = pos;
  u32(n);
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c > 127) {
      pos = start;
      return bytes(utf8.encode(s));
    }
    buf[pos++] = c;
  }
};

const bytes = (b: Uint8Array) => {
  u32(b.length);
  room(b.length);
  buf.set(b, pos);
  pos += b.length;
};

const nibble = (c: number) => (c <= 57 ? c - 48 : c >= 97 ? c - 87 : c - 55);
const hex = (h: string) => {
  u32(h.length >> 1);
  room(h.length >> 1);
  for (let i = 0; i < h.length; i += 2) buf[pos++] = (nibble(h.charCodeAt(i)) << 4) | nibble(h.charCodeAt(i + 1));
};

/** Opens a length-delimited field (tag already written): reserves `guess` bytes for its length. */
const open = (guess = 1) => {
  room(guess);
  pos += guess;
  return pos;
};
/** Closes what open() returned: writes the length, moving the body if the guess was wrong. */
const close = (body: number, guess = 1) => {
  const len = pos - body;
  const need = len < 128 ? 1 : len < 16384 ? 2 : len < 2097152 ? 3 : len < 268435456 ? 4 : 5;
  if (need !== guess) {
    room(need - guess);
    buf.copyWithin(body + need - guess, body, pos);
    pos += need - guess;
  }
  let at = body + need - guess - need;
  let v = len;
  while (v > 127) {
    buf[at++] = (v & 127) | 128;
    v >>>= 7;
  }
  buf[at] = v;
};

// attribute keys recur in every span: their KeyValue.key field, encoded once (bounded)
const keys = new Map<string, Uint8Array>();
const key = (k: string) => {
  let b = keys.get(k);
  if (!b) {
    const start = pos;
    tag(0x0a);
    str(k);
    b = buf.slice(start, pos);
    pos = start;
    if (keys.size >= 4096) keys.clear();
    keys.set(k, b);
  }
  room(b.length);
  buf.set(b, pos);
  pos += b.length;
};

type Value = unknown;
function anyValue(v: Value): void {
  if (typeof v === 'string') {
    tag(0x0a);
    str(v);
  } else if (typeof v === 'boolean') {
    tag(0x10);
    tag(v ? 1 : 0);
  } else if (typeof v === 'number') {
    room(11);
    if (Number.isInteger(v) && v >= -(2 ** 63) && v < 2 ** 63) {
      tag(0x18);
      i64(v);
    } else {
      tag(0x21);
      view.setFloat64(pos, v, true);
      pos += 8;
    }
  } else if (v instanceof Uint8Array) {
    tag(0x3a);
    bytes(v);
  } else if (Array.isArray(v)) {
    tag(0x2a);
    const arr = open();
    for (const item of v) {
      tag(0x0a);
      const at = open();
      anyValue(item);
      close(at);
    }
    close(arr);
  } else if (typeof v === 'object' && v !== null) {
    tag(0x32);
    const list = open();
    for (const k in v) {
      if (!Object.hasOwn(v, k)) continue;
      tag(0x0a);
      keyValue(k, (v as Record<string, Value>)[k]);
    }
    close(list);
  }
}
/** One KeyValue message body (its tag already written), with its length. */
const keyValue = (k: string, v: Value) => {
  const kv = open();
  key(k);
  tag(0x12);
  const at = open();
  anyValue(v);
  close(at);
  close(kv);
};
const attributes = (attrs: Readonly<Record<string, Value>> | undefined, field: number) => {
  for (const k in attrs) {
    if (!Object.hasOwn(attrs, k)) continue;
    tag(field);
    keyValue(k, attrs[k]);
  }
};

/** A span's flags: W3C trace flags, and whether its parent (or link) is remote. */
const flags = (traceFlags: number, remote: boolean | undefined) => {
  tag(0x85); // field 16, fixed32: the two-byte tag 0x85 0x01
  tag(0x01);
  fixed32((traceFlags & 255) | 256 | (remote ? 512 : 0));
};

function span(s: ReadableSpan): void {
  const ctx = s.spanContext();
  tag(0x0a);
  hex(ctx.traceId);
  tag(0x12);
  hex(ctx.spanId);
  const state = ctx.traceState?.serialize();
  if (state) {
    tag(0x1a);
    str(state);
  }
  if (s.parentSpanContext?.spanId) {
    tag(0x22);
    hex(s.parentSpanContext.spanId);
  }
  tag(0x2a);
  str(s.name);
  if (s.kind != null) {
    tag(0x30);
    u32(s.kind + 1);
  }
  tag(0x39);
  if (s instanceof RecordedSpan) msTime(s.startMs);
  else hrTime(s.startTime);
  tag(0x41);
  if (s instanceof RecordedSpan) msTime(s.endMs);
  else hrTime(s.endTime);
  attributes(s.attributes, 0x4a);
  tag(0x50);
  u32(s.droppedAttributesCount);
  for (const e of s.events) {
    tag(0x5a);
    const at = open();
    tag(0x09);
    hrTime(e.time);
    tag(0x12);
    str(e.name);
    attributes(e.attributes, 0x1a);
    tag(0x20);
    u32(e.droppedAttributesCount || 0);
    close(at);
  }
  tag(0x60);
  u32(s.droppedEventsCount);
  for (const l of s.links) {
    tag(0x6a);
    const at = open();
    tag(0x0a);
    hex(l.context.traceId);
    tag(0x12);
    hex(l.context.spanId);
    const linkState = l.context.traceState?.serialize();
    if (linkState) {
      tag(0x1a);
      str(linkState);
    }
    attributes(l.attributes, 0x22);
    tag(0x28);
    u32(l.droppedAttributesCount || 0);
    tag(0x35);
    fixed32((l.context.traceFlags & 255) | 256 | (l.context.isRemote ? 512 : 0));
    close(at);
  }
  tag(0x70);
  u32(s.droppedLinksCount);
  tag(0x7a);
  const status = open();
  if (s.status.message) {
    tag(0x12);
    str(s.status.message);
  }
  tag(0x18);
  u32(s.status.code);
  close(status);
  flags(ctx.traceFlags, s.parentSpanContext?.isRemote);
}

// a tracer's resource and scope are the same objects in every batch: their messages, encoded once
const encoded = new WeakMap<object, Uint8Array>();
const once = (o: object, write: () => void) => {
  let b = encoded.get(o);
  if (!b) {
    const start = pos;
    write();
    b = buf.slice(start, pos);
    pos = start;
    encoded.set(o, b);
  }
  room(b.length);
  buf.set(b, pos);
  pos += b.length;
};
const resource = (r: Resource) => {
  tag(0x0a);
  const at = open();
  attributes(r.attributes, 0x0a);
  tag(0x10);
  tag(0);
  close(at);
};
const scope = (sc: InstrumentationScope & { attributes?: Record<string, Value>; droppedAttributesCount?: number }) => {
  tag(0x0a);
  const at = open();
  tag(0x0a);
  str(sc.name);
  if (sc.version) {
    tag(0x12);
    str(sc.version);
  }
  attributes(sc.attributes, 0x1a);
  if (sc.droppedAttributesCount) {
    tag(0x20);
    u32(sc.droppedAttributesCount);
  }
  close(at);
};

const schema = (field: number, url: string | undefined) => {
  if (!url) return;
  tag(field);
  str(url);
};

/** The spans as an OTLP ExportTraceServiceRequest in protobuf (a fresh copy; the buffer is reused). */
export function encodeSpans(spans: readonly ReadableSpan[]): Uint8Array {
  const groups = new Map<Resource, Map<InstrumentationScope, ReadableSpan[]>>();
  for (const s of spans) {
    let scopes = groups.get(s.resource);
    if (!scopes) groups.set(s.resource, (scopes = new Map()));
    const list = scopes.get(s.instrumentationScope);
    if (list) list.push(s);
    else scopes.set(s.instrumentationScope, [s]);
  }
  pos = 0;
  for (const [r, scopes] of groups) {
    tag(0x0a);
    const rs = open(3);
    once(r, () => resource(r));
    for (const list of scopes.values()) {
      tag(0x12);
      const ss = open(3);
      const sc = list[0]!.instrumentationScope;
      once(sc, () => scope(sc));
      for (const s of list) {
        tag(0x12);
        const at = open(2);
        span(s);
        close(at, 2);
      }
      schema(0x1a, sc.schemaUrl);
      close(ss, 3);
    }
    schema(0x1a, r.schemaUrl);
    close(rs, 3);
  }
  const out = new Uint8Array(pos); // (faster than buf.slice)
  out.set(buf.subarray(0, pos));
  return out;
}
