// What tracing costs per call, in process and without a gateway: the spans of one uncached tools/call
// (the server span, authentication, execute_tool, access, arguments, limits, the backend client span
// with its traceparent) opened through the tracing port, CPU per call (process.cpuUsage) for:
//   none       the call's own steps (argument check, limits, the backend request) without the port
//   off        the same through the no-op tracer, as a gateway without OTEL_EXPORTER_OTLP_ENDPOINT
//              runs them (the port's calls that stay when tracing is off): off minus none is what
//              tracing off costs a call
//   spans      100% sampling, spans recorded and batched, then dropped by the exporter
//   serialised the same, and the batch serialised to OTLP JSON by the official serializer
//   serialised, protobuf (official / own encoder)   to OTLP protobuf by the official serializer, or
//              by src/trace/otlp-proto.ts (the same bytes)
//   exported   the same, and sent to an OTLP/HTTP sink in another process (the real exporter)
//   exported, protobuf (own encoder)   the same with OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/protobuf
// Modes alternate within each round; the figures are the median and the minimum over the rounds
// (on a shared machine the minimum is the least disturbed).
// bun scripts/bench/span-cost.ts [--calls 5000] [--rounds 9] [--modes 'spans+exported'] (a subset; none always runs)
// measureOffCost() is the none/off pair alone, for scripts/bench/tracing.ts.
import { parseArgs } from 'node:util';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { BATCH, createOtelTracer } from '../../src/trace/otel.ts';
import { encodeSpans } from '../../src/trace/otlp-proto.ts';
import { NOOP_TRACER, nowMs, type Tracer } from '../../src/trace/tracer.ts';
import { median } from './stats.ts';

const SERVER = {
  'http.request.method': 'POST',
  'http.route': '/mcp',
  'url.path': '/mcp',
  'network.protocol.name': 'http',
  'user_agent.original': 'wrk',
  'mcp.method.name': 'tools/call',
  'mcp.protocol.version': '2026-07-28',
  'mcp.session.id': undefined,
  'jsonrpc.request.id': '7',
  'gen_ai.tool.name': 'bench_uncached',
  'gen_ai.operation.name': 'execute_tool',
  'nexus.caller': 'anonymous',
};
const CLIENT = {
  kind: 'client',
  attributes: {
    'http.request.method': 'GET',
    'server.address': '127.0.0.1',
    'server.port': 41000,
    'url.scheme': 'http',
    'url.template': '/items/{id}',
  },
} as const;

// The call's own steps, the same in every mode
const checkArgs = () => 1;
const limits = async () => undefined;
const send = async (headers: Headers) => headers;

/** none: the steps of one uncached call without the tracing port. */
async function bareCall(): Promise<unknown> {
  const headers = new Headers();
  checkArgs();
  await limits();
  return send(headers);
}

/** The spans of one uncached call, opened as src/mcp/span.ts, src/call/pipeline.ts and src/invoke do. */
function oneCall(t: Tracer): Promise<unknown> {
  if (!t.enabled) return offCall(t);
  const started = nowMs();
  const authEnd = nowMs();
  const call = async () => {
    const headers = new Headers();
    t.span('nexus.arguments', undefined, checkArgs);
    await t.span('nexus.limits', undefined, limits);
    return t.span('GET /items/{id}', CLIENT, async (span) => {
      span.inject((k, v) => headers.set(k, v));
      const r = await send(headers);
      span.set('http.response.status_code', 200);
      return r;
    });
  };
  return t.span('tools/call bench_uncached', { kind: 'server', startTime: started, attributes: SERVER }, async (server) => {
    t.record('nexus.authenticate', started, authEnd, { attributes: { 'nexus.caller': 'anonymous' } });
    const s0 = nowMs();
    const out = await t.span(
      'execute_tool bench_uncached',
      {
        startTime: s0,
        attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'bench_uncached', 'nexus.caller': 'anonymous' },
      },
      async (span) => {
        t.record('nexus.access', s0, nowMs(), { attributes: { 'nexus.access.decision': 'allowed' } });
        t.active();
        const r = await call();
        span.set('nexus.outcome', 'ok');
        return r;
      },
    );
    server.set('http.response.status_code', 200);
    return out;
  });
}

/** off: what the call sites still do through the port with tracing off (the pipeline's argument and limits spans, its active()). */
async function offCall(t: Tracer): Promise<unknown> {
  const headers = new Headers();
  t.active();
  t.span('nexus.arguments', undefined, checkArgs);
  await t.span('nexus.limits', undefined, limits);
  return send(headers);
}

/** Calls between flushes: a batch of the batch processor's export size (seven spans a call). */
const BATCH_CALLS = Math.floor(BATCH.maxExportBatchSize / 7);

async function measure(t: Tracer | 'none', calls: number): Promise<number> {
  const c0 = process.cpuUsage();
  // flushed batch by batch: a loop this tight outruns one export in flight, and the processor would
  // drop spans that a gateway (a few thousand calls a second) exports
  if (t === 'none') for (let i = 0; i < calls; i++) await bareCall();
  else {
    for (let i = 0; i < calls; i++) {
      await oneCall(t);
      if (i % BATCH_CALLS === BATCH_CALLS - 1) await t.flush();
    }
    await t.flush();
  }
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / calls;
}

/** CPU µs per call of none and off, alternating, medians and minimums over the rounds. */
export async function measureOffCost(calls = 20_000, rounds = 9) {
  const got = { none: [] as number[], off: [] as number[] };
  await measure('none', calls);
  await measure(NOOP_TRACER, calls);
  for (let r = 0; r < rounds; r++) {
    got.none.push(await measure('none', calls));
    got.off.push(await measure(NOOP_TRACER, calls));
  }
  return { none: median(got.none), off: median(got.off), noneMin: Math.min(...got.none), offMin: Math.min(...got.off) };
}

if (import.meta.main) {
  const { values: f } = parseArgs({
    options: { calls: { type: 'string', default: '5000' }, rounds: { type: 'string', default: '9' }, modes: { type: 'string' } },
  });
  const CALLS = Number(f.calls);

  const sinkCode = `const s = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: async (req) => { await req.arrayBuffer(); return Response.json({}); } });
  console.log(JSON.stringify({ port: s.port }));`;
  const sink = Bun.spawn([process.execPath, '-e', sinkCode], { stdout: 'pipe' });
  process.on('exit', () => sink.kill()); // also when a round throws
  const first = await sink.stdout.getReader().read();
  const port = (JSON.parse(new TextDecoder().decode(first.value)) as { port: number }).port;

  const done = { code: 0 } as const;
  const exporter = (serialise?: (spans: ReadableSpan[]) => unknown): SpanExporter => ({
    export: (spans, cb) => {
      serialise?.(spans);
      cb(done);
    },
    shutdown: async () => {},
  });
  const base = { serviceName: 'bench', serviceVersion: '0', sampler: 'always_on', endpoint: `http://127.0.0.1:${port}` };
  const modes: Record<string, Tracer | 'none'> = {
    none: 'none',
    off: NOOP_TRACER,
    spans: createOtelTracer({ ...base, exporter: exporter() }),
    serialised: createOtelTracer({ ...base, exporter: exporter(JsonTraceSerializer.serializeRequest) }),
    'serialised, protobuf (official)': createOtelTracer({ ...base, exporter: exporter(ProtobufTraceSerializer.serializeRequest) }),
    'serialised, protobuf (own encoder)': createOtelTracer({ ...base, exporter: exporter(encodeSpans) }),
    exported: createOtelTracer({ ...base, protocol: 'http/json' }),
    'exported, protobuf (own encoder)': createOtelTracer({ ...base, protocol: 'http/protobuf' }),
  };

  if (f.modes) {
    const keep = new Set(['none', ...f.modes.split('+')]);
    for (const k of Object.keys(modes)) if (!keep.has(k)) delete modes[k];
  }
  const got: Record<string, number[]> = Object.fromEntries(Object.keys(modes).map((k) => [k, []]));
  for (const t of Object.values(modes)) await measure(t, CALLS); // warm-up
  for (let r = 0; r < Number(f.rounds); r++) for (const [k, t] of Object.entries(modes)) got[k]!.push(await measure(t, CALLS));
  const none = median(got.none!);
  console.log(`CPU µs per call, ${CALLS} calls x ${f.rounds} rounds (7 spans per call)`);
  console.log('| mode | median | min | median minus none |');
  console.log('|---|--:|--:|--:|');
  for (const [k, v] of Object.entries(got)) {
    console.log(`| ${k} | ${median(v).toFixed(2)} | ${Math.min(...v).toFixed(2)} | ${(median(v) - none).toFixed(2)} |`);
  }
  for (const t of Object.values(modes)) if (t !== 'none') await t.close();
  sink.kill();
  process.exit(0);
}
