// wrk as the load generator: one Lua script per target POSTs a fixed JSON-RPC body with the right
// headers, checks every answer (HTTP 200, a JSON-RPC result, not isError) and prints one JSON line.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pinned } from './proc.ts';

export type Revision = '2025-11-25' | '2026-07-28';

export interface McpCall {
  readonly url: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface WrkResult {
  readonly requests: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Socket errors and non-2xx answers counted by wrk. */
  readonly errors: number;
  /** Answers that were 200 but not a successful tool result. */
  readonly bad: number;
  /** CPU wrk itself used (ms). */
  readonly wrkCpuMs: number;
  /** Other processes' share of the machine during the run (%), when measured. */
  noisePct?: number;
  /** The server's CPU during the run, % of one core, when measured. */
  serverCpuPct?: number;
}

export interface WrkOptions {
  readonly seconds: number;
  readonly connections: number;
  /** Pause (ms) each connection takes after an answer: an open-ish loop for "half load" runs. */
  readonly pauseMs?: number;
  /** CPU the load generator is pinned to. */
  readonly cpu?: string;
}

const META = (name: string) => ({
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': {},
  'io.modelcontextprotocol/clientInfo': { name, version: '1.0.0' },
});

/** A `tools/call` as a client of the given revision sends it (2025-11-25: stateless, no initialize). */
export function toolCall(
  url: string,
  revision: Revision,
  tool: string,
  args: Record<string, unknown>,
  headers: Record<string, string> = {},
): McpCall {
  const params = revision === '2026-07-28' ? { name: tool, arguments: args, _meta: META('nexus-bench') } : { name: tool, arguments: args };
  const revHeaders: Record<string, string> =
    revision === '2026-07-28' ? { 'mcp-protocol-version': revision, 'mcp-method': 'tools/call', 'mcp-name': tool } : {};
  return {
    url,
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params }),
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...revHeaders, ...headers },
  };
}

/** A `tools/list` (used by the scale runs). */
export function toolsList(url: string, revision: Revision): McpCall {
  const call = toolCall(url, revision, 'x', {});
  const params = revision === '2026-07-28' ? { _meta: META('nexus-bench') } : {};
  const headers = { ...call.headers };
  delete headers['mcp-name'];
  if (revision === '2026-07-28') headers['mcp-method'] = 'tools/list';
  return { url, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params }), headers };
}

/** The JSON-RPC message inside an answer, whether sent as JSON or as one SSE event. */
export function rpcMessage(text: string): { result?: Record<string, unknown>; error?: { code: number; message: string } } {
  const data = text.startsWith('{')
    ? text
    : text
        .split('\n')
        .find((l) => l.startsWith('data: '))
        ?.slice(6);
  if (!data) throw new Error(`not a JSON-RPC answer: ${text.slice(0, 200)}`);
  return JSON.parse(data);
}

/** One call with fetch; throws unless it is HTTP 200 with a successful tool result. */
export async function checkCall(call: McpCall): Promise<Record<string, unknown>> {
  const res = await fetch(call.url, { method: 'POST', headers: call.headers, body: call.body });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`HTTP ${res.status} from ${call.url}: ${text.slice(0, 300)}`);
  const msg = rpcMessage(text);
  if (msg.error || !msg.result) throw new Error(`JSON-RPC error from ${call.url}: ${JSON.stringify(msg.error ?? msg).slice(0, 300)}`);
  if (msg.result.isError) throw new Error(`tool error from ${call.url}: ${JSON.stringify(msg.result).slice(0, 300)}`);
  return msg.result;
}

const lua = (s: string) => JSON.stringify(s); // a JSON string literal is a valid Lua string literal here

function script(call: McpCall, pauseMs: number): string {
  const headers = Object.entries(call.headers)
    .map(([k, v]) => `wrk.headers[${lua(k)}] = ${lua(v)}`)
    .join('\n');
  return `wrk.method = "POST"
wrk.body = ${lua(call.body)}
${headers}
local threads = {}
function setup(thread) table.insert(threads, thread) end
bad = 0
function response(status, headers, body)
  if status ~= 200 or not body:find('"result"', 1, true) or body:find('"isError":true', 1, true) then bad = bad + 1 end
end
${pauseMs ? `function delay() return ${pauseMs} end` : ''}
function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + (t:get("bad") or 0) end
  local e = summary.errors
  io.write(string.format('BENCH {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"errors":%d,"bad":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.status + e.timeout, bad))
end
`;
}

const dir = mkdtempSync(join(tmpdir(), 'nexus-bench-wrk-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
let scripts = 0;

export async function runWrk(call: McpCall, opts: WrkOptions): Promise<WrkResult> {
  const file = join(dir, `s${scripts++}.lua`);
  writeFileSync(file, script(call, opts.pauseMs ?? 0));
  const argv = ['wrk', '-t1', `-c${opts.connections}`, `-d${opts.seconds}s`, '--timeout', '5s', '-s', file, call.url];
  const proc = Bun.spawn(pinned(argv, opts.cpu), { stdout: 'pipe', stderr: 'pipe' });
  const [out, err] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  await proc.exited;
  const usage = proc.resourceUsage();
  const wrkCpuMs = usage ? Number(usage.cpuTime.user + usage.cpuTime.system) / 1000 : 0;
  const line = out.split('\n').find((l) => l.startsWith('BENCH '));
  if (!line) throw new Error(`wrk printed no result for ${call.url}: ${(err || out).slice(0, 300)}`);
  const r = JSON.parse(line.slice(6)) as {
    requests: number;
    duration_us: number;
    p50_us: number;
    p99_us: number;
    errors: number;
    bad: number;
  };
  return {
    requests: r.requests,
    rps: r.requests / (r.duration_us / 1e6),
    p50Ms: r.p50_us / 1000,
    p99Ms: r.p99_us / 1000,
    errors: r.errors,
    bad: r.bad,
    wrkCpuMs,
  };
}
