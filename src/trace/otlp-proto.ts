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
  const lo = low >>> 0;
  const up = (Math.floor(lo16 / 4294967296) + ((hi / 65536) >>> 0) + Math.floor(low / 4294967296)) >>> 0;
  room(8);
  buf[pos++] = lo;
  buf[pos++] = lo >>> 8;
  buf[pos++] = lo >>> 16;
  buf[pos++] = lo >>> 24;
  buf[pos++] = up;
  buf[pos++] = up >>> 8;
  buf[pos++] = up >>> 16;
  buf[pos++] = up >>> 24;
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

// ids are hex strings: decoded in JS through a table of digit pairs (a native Buffer write per id
// cost more than the rest of a span); -1 marks a pair that is not two hex digits
const NIBBLE = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) NIBBLE[i.toString(16).charCodeAt(0)] = i;
for (let i = 10; i < 16; i++) NIBBLE[i.toString(16).toUpperCase().charCodeAt(0)] = i;
const PAIR = new Int16Array(1 << 14).fill(-1);
for (let a = 0; a < 128; a++)
  for (let b = 0; b < 128; b++) if ((NIBBLE[a]! | NIBBLE[b]!) >= 0) PAIR[(a << 7) | b] = (NIBBLE[a]! << 4) | NIBBLE[b]!;
const hex = (h: string) => {
  const n = h.length >> 1;
  room(n + 5);
  if (n < 128) buf[pos++] = n;
  else u32(n);
  let i = 0;
  for (; i < n; i++) {
    const a = h.charCodeAt(2 * i);
    const b = h.charCodeAt(2 * i + 1);
    const v = (a | b) < 128 ? PAIR[(a << 7) | b]! : -1;
    if (v < 0) break;
    buf[pos + i] = v;
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

// attributes recur: per key, the last two values' KeyValue messages are kept and copied while they
// repeat ("http.request.method": "POST" on the server span, "GET" on the backend call's); the maps are
// bounded. A RecordedSpan's values are masked (clean) here, so theirs are kept apart, and forgotten
// when the set of secrets changes.
interface Seen {
  v: Value;
  kv: Uint8Array;
  v2: Value;
  kv2: Uint8Array | undefined;
}
type Memo = Map<string, Seen>;
const last: Memo = new Map();
const lastClean: Memo = new Map();
let secrets: unknown;
const keys = new Map<string, Uint8Array>();
const keyValue = (k: string, v: Value, memo: Memo = last) => {
  const seen = memo.get(k);
  if (seen) {
    if (seen.v === v) return copy(seen.kv);
    if (seen.v2 === v && seen.kv2) return copy(seen.kv2);
  }
  const start = pos;
  const kv = open();
  cached(keys, k, () => text(0x0a, k));
  const at = nest(0x12);
  anyValue(memo === lastClean ? clean(v as AttributeValue) : v);
  close(at);
  close(kv);
  if (typeof v === 'object' || (typeof v === 'string' && v.length > 64)) return;
  const bytes = buf.slice(start, pos);
  if (seen) {
    seen.v2 = seen.v;
    seen.kv2 = seen.kv;
    seen.v = v;
    seen.kv = bytes;
    return;
  }
  if (memo.size >= 4096) memo.clear();
  memo.set(k, { v, kv: bytes, v2: undefined, kv2: undefined });
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

// a frozen attributes object is shared (one per tool: the backend call's): its fields are encoded
// once and copied as one block; forgotten with the masked values when the set of secrets changes
let blocks = new WeakMap<object, Uint8Array>();
const baseAttributes = (base: NonNullable<RecordedSpan['base']>) => {
  for (const k in base) {
    const v = base[k];
    if (v === undefined || !Object.hasOwn(base, k)) continue;
    tag(0x4a);
    keyValue(k, v, lastClean);
  }
};

/** A RecordedSpan's attributes (field 9) straight from what it kept: those it opened with, then the later ones. */
function recordedAttributes(s: RecordedSpan): void {
  const { base, extra } = s;
  if (base) {
    if (Object.isFrozen(base)) {
      const block = blocks.get(base);
      if (block) copy(block);
      else {
        const start = pos;
        baseAttributes(base);
        blocks.set(base, buf.slice(start, pos));
      }
    } else baseAttributes(base);
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
// a parent's span id recurs in its children and again as its own (a parent ends after them): the
// last few parent ids decoded are kept; a span's own id is looked up, not kept (a leaf's never recurs)
const IDS = 4;
const idStrings: string[] = new Array(IDS).fill('');
const idBytes = new Uint8Array(IDS * 8);
let idNext = 0;
const spanIdField = (field: number, h: string, keep: boolean) => {
  for (let k = 0; k < IDS; k++) {
    if (idStrings[k] !== h) continue;
    room(10);
    buf[pos++] = field;
    buf[pos++] = 8;
    for (let i = k * 8; i < k * 8 + 8; i++) buf[pos++] = idBytes[i]!;
    return;
  }
  id(field, h);
  if (!keep || h.length !== 16) return;
  const k = idNext;
  idNext = (idNext + 1) % IDS;
  idStrings[k] = h;
  for (let i = 0; i < 8; i++) idBytes[k * 8 + i] = buf[pos - 8 + i]!;
};
/** A RecordedSpan: what span() writes, read from its fields (no events, links nor dropped counts). */
function recorded(s: RecordedSpan): void {
  traceIdField(s.traceId);
  spanIdField(0x12, s.spanId, false);
  text(0x1a, s.traceState?.serialize() || undefined);
  if (s.parentSpanContext?.spanId) spanIdField(0x22, s.parentSpanContext.spanId, true);
  cached(names, s.name, () => text(0x2a, s.name)); // names repeat: the pipeline's steps, a tool's spans
  num(0x30, s.kind + 1);
  tag(0x39);
  msTime(s.startMs);
  tag(0x41);
  msTime(s.endMs);
  if (s.overrides()) attributes(s.attributes, 0x4a);
  else recordedAttributes(s);
  // dropped attributes, events and links: 0; the status (no message, a code below 128); the flags
  room(16);
  buf[pos++] = 0x50;
  buf[pos++] = 0;
  buf[pos++] = 0x60;
  buf[pos++] = 0;
  buf[pos++] = 0x70;
  buf[pos++] = 0;
  buf[pos++] = 0x7a;
  buf[pos++] = 2;
  buf[pos++] = 0x18;
  buf[pos++] = s.status.code;
  buf[pos++] = 0x85; // field 16 (flags), fixed32: the two-byte tag 0x85 0x01
  buf[pos++] = 0x01;
  buf[pos++] = s.traceFlags & 255;
  buf[pos++] = s.parentSpanContext?.isRemote ? 3 : 1; // (flags >>> 8: 256, and 512 when remote)
  buf[pos++] = 0;
  buf[pos++] = 0;
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
  // (a batch is mostly one tracer's: a span of the previous one's resource and scope joins its list)
  let r0: Resource | undefined;
  let sc0: InstrumentationScope | undefined;
  let list0: ReadableSpan[] = [];
  for (const s of spans) {
    const r = s.resource;
    const sc = s.instrumentationScope;
    if (r === r0 && sc === sc0) {
      list0.push(s);
      continue;
    }
    let scopes = groups.get(r);
    if (!scopes) groups.set(r, (scopes = new Map()));
    const list = scopes.get(sc);
    if (list) list.push(s);
    else scopes.set(sc, [s]);
    r0 = r;
    sc0 = sc;
    list0 = scopes.get(sc)!;
  }
  const matcher = currentMatcher();
  if (matcher !== secrets) {
    lastClean.clear();
    blocks = new WeakMap();
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
