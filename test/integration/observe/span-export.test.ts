// The OTLP/HTTP span exporter against a local receiver: protobuf by default (the OTLP default), or
// JSON, to /v1/traces with the configured headers, and a refusal the exporter spec calls retryable
// (503, Retry-After) sent again.
import { expect, test } from 'bun:test';
import { createOtelTracer } from '../../../src/trace/otel.ts';
import { decodeTraces } from '../../helpers/otlp-decode.ts';

test('with http/json, spans arrive as OTLP JSON with the configured headers; a 503 is retried after its Retry-After', async () => {
  const seen: { type: string | null; key: string | null; names: string[] }[] = [];
  const receiver = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(req) {
      const body = (await req.json()) as { resourceSpans: { scopeSpans: { spans: { name: string }[] }[] }[] };
      seen.push({
        type: req.headers.get('content-type'),
        key: req.headers.get('x-api-key'),
        names: body.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans.map((x) => x.name))),
      });
      return seen.length === 1 ? new Response('busy', { status: 503, headers: { 'retry-after': '0' } }) : Response.json({});
    },
  });
  const tracer = createOtelTracer({
    endpoint: `http://127.0.0.1:${receiver.port}/`,
    headers: { 'x-api-key': 'k1' },
    serviceName: 'export-test',
    serviceVersion: '1',
    sampler: 'always_on',
    protocol: 'http/json',
  });
  try {
    tracer.span('exported', undefined, () => {});
    await tracer.flush();
    expect(seen).toEqual([
      { type: 'application/json', key: 'k1', names: ['exported'] },
      { type: 'application/json', key: 'k1', names: ['exported'] },
    ]);
  } finally {
    await tracer.close();
    receiver.stop(true);
  }
});

test('by default the spans go as OTLP protobuf, which decodes to the spans recorded', async () => {
  const bodies: { type: string | null; body: Buffer }[] = [];
  const receiver = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(req) {
      bodies.push({ type: req.headers.get('content-type'), body: Buffer.from(await req.arrayBuffer()) });
      return new Response(new Uint8Array(0), { headers: { 'content-type': 'application/x-protobuf' } });
    },
  });
  const tracer = createOtelTracer({
    endpoint: `http://127.0.0.1:${receiver.port}`,
    serviceName: 'proto-test',
    serviceVersion: '1',
    sampler: 'always_on',
  });
  try {
    let ids = { traceId: '', spanId: '' };
    tracer.span('exported-as-protobuf', undefined, () => (ids = tracer.active()!));
    await tracer.flush();
    expect(bodies.map((b) => b.type)).toEqual(['application/x-protobuf']);
    const body = bodies[0]!.body;
    // protobuf carries strings as UTF-8 and ids as raw bytes, not hex (JSON would have the hex)
    expect(body.includes(Buffer.from('exported-as-protobuf'))).toBe(true);
    expect(body.includes(Buffer.from(ids.traceId, 'hex'))).toBe(true);
    expect(body.includes(Buffer.from(ids.spanId, 'hex'))).toBe(true);
    expect(body.includes(Buffer.from(ids.traceId))).toBe(false);
    expect(decodeTraces(body).map((s) => [s.name, s.traceId, s.spanId, s.service])).toEqual([
      ['exported-as-protobuf', ids.traceId, ids.spanId, 'proto-test'],
    ]);
  } finally {
    await tracer.close();
    receiver.stop(true);
  }
});
