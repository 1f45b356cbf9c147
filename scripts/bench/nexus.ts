// Nexus under test: generated tool files, a gateway process on a chosen port, client keys, and probes
// that say which features (cache, access control, limits) the running gateway actually enforces.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Child, freePort, nexusArgv, ROOT, spawnChild } from './proc.ts';
import { checkCall, type McpCall, type Revision, rpcMessage, toolCall } from './wrk.ts';

export const ID_PATTERN = '^[0-9]{1,8}$';
/** Limits high enough never to refuse a bench call (1e6/min would be hit by a fast cached run). */
export const HIGH_LIMIT = '{ requests: 1000000000, per: 1m }';

export interface ToolSetOptions {
  readonly prefix: string;
  readonly backendUrl: string;
  /** Per-tool and per-backend rate limits, plus a 1-per-minute probe tool. */
  readonly limits?: boolean;
  /** A cached tool on a slow backend, for the fan-in run. */
  readonly slowBackendUrl?: string;
}

export const toolNames = (prefix: string) => ({
  uncached: `${prefix}get_ticket`,
  cached: `${prefix}get_ticket_cached`,
  probe: `${prefix}limit_probe`,
  slow: `${prefix}get_ticket_slow`,
});

function tool(name: string, extra: string[] = []): string {
  return [
    `  - name: ${name}`,
    `    description: Fetch a ticket by id.`,
    `    input: { type: object, properties: { id: { type: string, pattern: "${ID_PATTERN}" } }, required: [id], additionalProperties: false }`,
    `    request: { method: GET, path: "/tickets/{id}" }`,
    `    annotations: { readOnlyHint: true }`,
    ...extra.map((l) => `    ${l}`),
  ].join('\n');
}

// The run's prefix in the base URL puts it in the backend's limiter key too, so cleanup finds it.
function file(backendUrl: string, backendExtra: string[], tools: string[], prefix = ''): string {
  return [
    'backend:',
    `  base_url: ${backendUrl}${prefix && `/${prefix}`}`,
    '  timeout: 5s',
    ...backendExtra.map((l) => `  ${l}`),
    'tools:',
    ...tools,
    '',
  ].join('\n');
}

/** Writes the bench's tool files into `dir` (created). */
export function writeBenchTools(dir: string, o: ToolSetOptions): void {
  mkdirSync(dir, { recursive: true });
  const n = toolNames(o.prefix);
  const limit = o.limits ? [`rate_limit: ${HIGH_LIMIT}`] : [];
  const p = o.prefix;
  writeFileSync(
    join(dir, 'bench.yaml'),
    file(o.backendUrl, limit, [tool(n.uncached, limit), tool(n.cached, [...limit, 'cache: { ttl: 30s }'])], p),
  );
  if (o.limits)
    writeFileSync(join(dir, 'probe.yaml'), file(o.backendUrl, [], [tool(n.probe, ['rate_limit: { requests: 1, per: 1m }'])], `${p}probe`));
  if (o.slowBackendUrl) writeFileSync(join(dir, 'slow.yaml'), file(o.slowBackendUrl, [], [tool(n.slow, ['cache: { ttl: 30s }'])], p));
}

/** `count` generated tools in one file (the scale runs). */
export function writeManyTools(dir: string, count: number, backendUrl: string): void {
  mkdirSync(dir, { recursive: true });
  const tools = Array.from({ length: count }, (_, i) => tool(`tool_${String(i).padStart(5, '0')}`));
  writeFileSync(join(dir, 'many.yaml'), file(backendUrl, [], tools));
}

export interface GatewayOptions {
  readonly toolsDir: string;
  readonly dataDir: string;
  readonly log: string;
  readonly env?: Record<string, string | undefined>;
  readonly cpu?: string;
  /** Extra bun flags before the script (e.g. --cpu-prof). */
  readonly bunFlags?: string[];
  readonly timeoutMs?: number;
  /** The checkout whose src/main.ts runs (default: this one). */
  readonly cwd?: string;
}

export interface Gateway extends Child {
  readonly mcpUrl: string;
}

/** Starts `nexus serve` and resolves once /healthz answers 200 (readyMs = spawn to healthy). */
export async function startGateway(o: GatewayOptions): Promise<Gateway> {
  const port = await freePort();
  const argv = [...nexusArgv(o.cwd ?? ROOT, o.bunFlags), 'serve', '--port', String(port), '--tools', o.toolsDir, '--data-dir', o.dataDir];
  const child = await spawnChild(argv, {
    log: o.log,
    cpu: o.cpu,
    cwd: o.cwd,
    env: { LOG_LEVEL: 'warn', ...o.env },
    health: { port, path: '/healthz', timeoutMs: o.timeoutMs },
  });
  return { ...child, mcpUrl: `${child.url}/mcp` };
}

/** `nexus keys create NAME --tools '*'`; undefined (with the reason) when the command is not there. */
export async function createKey(
  dataDir: string,
  env: Record<string, string | undefined>,
  /** The checkout whose CLI creates it (default: this one). */
  cwd = new URL('../../', import.meta.url).pathname,
): Promise<{ key?: string; why?: string }> {
  const proc = Bun.spawn([...nexusArgv(cwd), 'keys', 'create', `bench-${process.pid}`, '--tools', '*', '--data-dir', dataDir], {
    cwd,
    env: { ...process.env, ...env },
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  const key = out.trim().split('\n').pop() ?? '';
  if (code !== 0 || !key.startsWith('nxs_')) return { why: `nexus keys create failed (exit ${code}): ${err.trim().split('\n')[0]}` };
  return { key };
}

/** The raw JSON-RPC answer to one call (no success check). */
async function rawCall(call: McpCall) {
  const res = await fetch(call.url, { method: 'POST', headers: call.headers, body: call.body });
  const text = await res.text();
  try {
    return { status: res.status, msg: rpcMessage(text) };
  } catch {
    return { status: res.status, msg: {} };
  }
}

export interface Features {
  /** The cached tool answered from the cache on a repeated call. */
  readonly cache: boolean;
  /** A call without the key was refused. */
  readonly access?: boolean;
  /** The 1-per-minute probe refused its second call. */
  readonly limits?: boolean;
}

/** Calls the gateway to find out what it enforces; throws if a plain call fails. */
export async function probeFeatures(
  gw: Gateway,
  prefix: string,
  rev: Revision,
  auth?: Record<string, string>,
  secured = false,
): Promise<Features> {
  const n = toolNames(prefix);
  const args = { id: String(Math.floor(Math.random() * 1e8)) };
  await checkCall(toolCall(gw.mcpUrl, rev, n.cached, args, auth));
  const second = await checkCall(toolCall(gw.mcpUrl, rev, n.cached, args, auth));
  const cache = (second._meta as Record<string, unknown> | undefined)?.['nexus/source'] === 'cache';
  if (!secured) return { cache };
  const anon = await rawCall(toolCall(gw.mcpUrl, rev, n.uncached, { id: '1' }));
  const access = anon.status === 401 || anon.status === 403 || !!anon.msg.error;
  const p1 = await rawCall(toolCall(gw.mcpUrl, rev, n.probe, { id: '1' }, auth));
  const p2 = await rawCall(toolCall(gw.mcpUrl, rev, n.probe, { id: '1' }, auth));
  const ok = (r: typeof p1) => r.status === 200 && !!r.msg.result && !r.msg.result.isError;
  const limits = ok(p1) && !ok(p2);
  return { cache, access, limits };
}
