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
import { currentMatcher } from '../util/redact.ts';
import { clean, RecordedSpan } from './recorded.ts';
import type { AttributeValue } from './tracer.ts';

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
  let size = Math.max(buf.length * 2, 64);
  while (size < pos + n) size *= 2;
  const next = new Uint8Array(size);
  next.set(buf.subarray(0, pos));
  buf = next;
  view = new DataView(buf.buffer);
};

/** A varint of an unsigned 32-bit value (tags, lengths, enums, counts). */
const u32 = (v: number) => {
  room(5);
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

// ids are hex strings: decoded in JS through a table (a native Buffer write per id cost more than
// the rest of a span)
const NIBBLE = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) NIBBLE[i.toString(16).charCodeAt(0)] = i;
for (let i = 10; i < 16; i++) NIBBLE[i.toString(16).toUpperCase().charCodeAt(0)] = i;
const nibble = (c: number) => (c < 128 ? NIBBLE[c]! : -1);
const hex = (h: string) => {
  const n = h.length >> 1;
  u32(n);
  room(n);
  let i = 0;
  for (; i < n; i++) {
    const a = nibble(h.charCodeAt(2 * i));
    const b = nibble(h.charCodeAt(2 * i + 1));
    if ((a | b) < 0) break;
    buf[pos + i] = (a << 4) | b;
  }
  if (i < n) buf.fill(0, pos + i, pos + n); // (a malformed id keeps its length: zeros from its first bad digit)
  pos += n;
};

const text = (field: number, s: string | undefined) => {
  if (s === undefined) return;
  tag(field);
  str(s);
};
const id = (field: number, h: string) => {
  tag(field);
  hex(h);
};
const num = (field: number, v: number) => {
  tag(field);
  u32(v);
};
/** Opens a length-delimited field (tag already written): reserves `guess` bytes for its length. */
const open = (guess = 1) => {
  room(guess);
  pos += guess;
  return pos;
};
const nest = (field: number) => {
  tag(field);
  return open();
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

type Value = unknown;
const copy = (b: Uint8Array) => {
  const n = b.length;
  room(n);
  if (n > 24) {
    buf.set(b, pos); // (a native copy beats the loop only past a few words)
    pos += n;
  } else for (let i = 0; i < n; i++) buf[pos++] = b[i]!;
};
/** Writes with `write` once, keeps the bytes, and copies them on later calls with the same `key`. */
const cached = <K>(memo: Map<K, Uint8Array>, key: K, write: () => void) => {
  const b = memo.get(key);
  if (b) return copy(b);
  const start = pos;
  write();
  if (memo.size >= 4096) memo.clear();
  memo.set(key, buf.slice(start, pos));
};

function anyValue(v: Value): void {
  if (typeof v === 'string') text(0x0a, v);
  else if (typeof v === 'boolean') {
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
    const arr = nest(0x2a);
    for (const item of v) {
      const at = nest(0x0a);
      anyValue(item);
      close(at);
    }
    close(arr);
  } else if (typeof v === 'object' && v !== null) attributes(v as Record<string, Value>, 0x0a, 0x32);
}

// attributes recur: per key, the last value's KeyValue message is kept and copied while it repeats
// ("http.request.method": "POST"); the maps are bounded. A RecordedSpan's values are masked (clean)
// here, so theirs are kept apart, and forgotten when the set of secrets changes.
type Memo = Map<string, { v: Value; kv: Uint8Array }>;
const last: Memo = new Map();
const lastClean: Memo = new Map();
let secrets: unknown;
const keys = new Map<string, Uint8Array>();
const keyValue = (k: string, v: Value, memo: Memo = last) => {
  const seen = memo.get(k);
  if (seen && seen.v === v) return copy(seen.kv);
  const start = pos;
  const kv = open();
  cached(keys, k, () => text(0x0a, k));
  const at = nest(0x12);
  anyValue(memo === lastClean ? clean(v as AttributeValue) : v);
  close(at);
  close(kv);
  if (typeof v === 'object' || (typeof v === 'string' && v.length > 64)) return;
  if (memo.size >= 4096) memo.clear();
  memo.set(k, { v, kv: buf.slice(start, pos) });
};
/** Repeated KeyValue fields, each tagged `field`; inside a message tagged `outer` if given. */
function attributes(attrs: Readonly<Record<string, Value>> | undefined, field: number, outer?: number): void {
  const list = outer ? nest(outer) : 0;
  for (const k in attrs) {
    if (!Object.hasOwn(attrs, k)) continue;
    tag(field);
    keyValue(k, attrs[k]);
  }
  if (outer) close(list);
}

/** A RecordedSpan's attributes (field 9) straight from what it kept: those it opened with, then the later ones. */
function recordedAttributes(s: RecordedSpan): void {
  const { base, extra } = s;
  for (const k in base) {
    const v = base[k];
    if (v === undefined || !Object.hasOwn(base, k)) continue;
    tag(0x4a);
    keyValue(k, v, lastClean);
  }
  if (extra) {
    for (let i = 0; i < extra.length; i += 2) {
      tag(0x4a);
      keyValue(extra[i] as string, extra[i + 1], lastClean);
    }
  }
}

/** A span's (or link's) flags: W3C trace flags, and whether its parent (or it) is remote. */
const flags = (field: number, traceFlags: number, remote: boolean | undefined) => {
  tag(field);
  fixed32((traceFlags & 255) | 256 | (remote ? 512 : 0));
};

const names = new Map<string, Uint8Array>();
// the spans of one call share their trace id: decoded once, then its bytes copied
let lastTrace = '';
const traceBytes = new Uint8Array(16);
const traceIdField = (h: string) => {
  if (h !== lastTrace) {
    id(0x0a, h);
    if (h.length !== 32) return;
    for (let i = 0; i < 16; i++) traceBytes[i] = buf[pos - 16 + i]!;
    lastTrace = h;
    return;
  }
  room(18);
  buf[pos++] = 0x0a;
  buf[pos++] = 16;
  for (let i = 0; i < 16; i++) buf[pos++] = traceBytes[i]!;
};
/** A RecordedSpan: what span() writes, read from its fields (no events, links nor dropped counts). */
function recorded(s: RecordedSpan): void {
  traceIdField(s.traceId);
  id(0x12, s.spanId);
  text(0x1a, s.traceState?.serialize() || undefined);
  if (s.parentSpanContext?.spanId) id(0x22, s.parentSpanContext.spanId);
  cached(names, s.name, () => text(0x2a, s.name)); // names repeat: the pipeline's steps, a tool's spans
  num(0x30, s.kind + 1);
  tag(0x39);
  msTime(s.startMs);
  tag(0x41);
  msTime(s.endMs);
  if (s.overrides()) attributes(s.attributes, 0x4a);
  else recordedAttributes(s);
  // dropped attributes, events and links: 0 (the status has no message)
  room(8);
  buf[pos++] = 0x50;
  buf[pos++] = 0;
  buf[pos++] = 0x60;
  buf[pos++] = 0;
  buf[pos++] = 0x70;
  buf[pos++] = 0;
  const status = nest(0x7a);
  num(0x18, s.status.code);
  close(status);
  tag(0x85); // field 16 (flags), fixed32: the two-byte tag 0x85 0x01
  flags(0x01, s.traceFlags, s.parentSpanContext?.isRemote);
}

function span(s: ReadableSpan): void {
  const ctx = s.spanContext();
  id(0x0a, ctx.traceId);
  id(0x12, ctx.spanId);
  text(0x1a, ctx.traceState?.serialize() || undefined);
  if (s.parentSpanContext?.spanId) id(0x22, s.parentSpanContext.spanId);
  text(0x2a, s.name);
  if (s.kind != null) num(0x30, s.kind + 1);
  tag(0x39);
  hrTime(s.startTime);
  tag(0x41);
  hrTime(s.endTime);
  attributes(s.attributes, 0x4a);
  num(0x50, s.droppedAttributesCount);
  for (const e of s.events) {
    const at = nest(0x5a);
    tag(0x09);
    hrTime(e.time);
    text(0x12, e.name);
    attributes(e.attributes, 0x1a);
    num(0x20, e.droppedAttributesCount || 0);
    close(at);
  }
  num(0x60, s.droppedEventsCount);
  for (const l of s.links) {
    const at = nest(0x6a);
    id(0x0a, l.context.traceId);
    id(0x12, l.context.spanId);
    text(0x1a, l.context.traceState?.serialize() || undefined);
    attributes(l.attributes, 0x22);
    num(0x28, l.droppedAttributesCount || 0);
    flags(0x35, l.context.traceFlags, l.context.isRemote);
    close(at);
  }
  num(0x70, s.droppedLinksCount);
  const status = nest(0x7a);
  text(0x12, s.status.message || undefined);
  num(0x18, s.status.code);
  close(status);
  tag(0x85); // field 16 (flags), fixed32: the two-byte tag 0x85 0x01
  flags(0x01, ctx.traceFlags, s.parentSpanContext?.isRemote);
}

// a tracer's resource and scope are the same objects in every batch: their messages, encoded once
const encoded = new Map<object, Uint8Array>();
const resource = (r: Resource) => {
  const at = nest(0x0a);
  attributes(r.attributes, 0x0a);
  num(0x10, 0);
  close(at);
};
const scope = (sc: InstrumentationScope & { attributes?: Record<string, Value>; droppedAttributesCount?: number }) => {
  const at = nest(0x0a);
  text(0x0a, sc.name);
  text(0x12, sc.version || undefined);
  attributes(sc.attributes, 0x1a);
  if (sc.droppedAttributesCount) num(0x20, sc.droppedAttributesCount);
  close(at);
};

/** Tests: starts the next encoding in a buffer of `size` bytes (to grow it at every position). */
export function resetBuffer(size: number): void {
  buf = new Uint8Array(size);
  view = new DataView(buf.buffer);
}

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
  const matcher = currentMatcher();
  if (matcher !== secrets) {
    lastClean.clear();
    secrets = matcher;
  }
  pos = 0;
  for (const [r, scopes] of groups) {
    tag(0x0a);
    const rs = open(3);
    cached(encoded, r, () => resource(r));
    for (const list of scopes.values()) {
      tag(0x12);
      const ss = open(3);
      const sc = list[0]!.instrumentationScope;
      cached(encoded, sc, () => scope(sc));
      for (const s of list) {
        tag(0x12);
        const at = open(2);
        if (s instanceof RecordedSpan) recorded(s);
        else span(s);
        close(at, 2);
      }
      text(0x1a, sc.schemaUrl || undefined);
      close(ss, 3);
    }
    text(0x1a, r.schemaUrl || undefined);
    close(rs, 3);
  }
  const out = new Uint8Array(pos); // (faster than buf.slice)
  out.set(buf.subarray(0, pos));
  return out;
}
