// Shared pieces of the ops tests: one-tool YAML files, a BackendSpec for direct send() calls, and a
// tool call through the gateway's MCP edge that returns the parts of the result worth asserting.

import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/client';
import type { Subprocess } from 'bun';
import { type HttpOptions, send } from '../../../src/invoke/http.ts';
import type { BackendSpec } from '../../../src/registry/spec.ts';
import { tempDir, waitFor } from '../../helpers/gateway.ts';
import { rawPost } from '../../helpers/mcp-client.ts';

/** A tool file with one backend and one GET tool named `name`; `backend` is extra YAML under backend:. */
export function toolFile(name: string, baseUrl: string, backend = ''): string {
  return `backend:
  base_url: ${baseUrl}
  timeout: 5s
${backend.replace(/^/gm, '  ')}
tools:
  - name: ${name}
    description: Calls ${name}.
    request: { method: GET, path: /${name} }
`;
}

/** A port nothing listens on (bound once, then released). */
export function deadPort(): number {
  const s = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response() });
  const port = s.port!;
  s.stop(true);
  return port;
}

export function backendSpec(baseUrl: string, extra: Partial<BackendSpec> = {}): BackendSpec {
  return { id: baseUrl, baseUrl: new URL(baseUrl), timeoutMs: 3000, headers: {}, maxResponseBytes: 1 << 20, ...extra };
}

/** A plain GET of the backend's base URL through send(), as a tool call would make it. */
export const sendGet = (b: BackendSpec, opts?: HttpOptions) => send({ method: 'GET', url: b.baseUrl, headers: new Headers() }, b, opts);

export interface CallSummary {
  isError: boolean;
  text: string;
  json?: unknown;
}

export async function callTool(client: Client, name: string): Promise<CallSummary> {
  const r = await client.callTool({ name, arguments: {} });
  const text = (r.content as { type: string; text?: string }[]).map((c) => c.text ?? '').join('');
  return { isError: !!r.isError, text, ...(r.structuredContent !== undefined && { json: r.structuredContent }) };
}

const MAIN = join(import.meta.dir, '../../../src/main.ts');

export interface ServeProcess {
  readonly proc: Subprocess<'ignore', 'pipe', 'pipe'>;
  /** The /mcp URL from the "nexus listening" log line. */
  readonly mcpUrl: string;
  /** Everything written to stderr so far (JSON log lines). */
  stderr(): string;
  /** Everything written to stdout so far (audit records with NEXUS_AUDIT_EXPORT=stdout). */
  stdout(): string;
}

/** `bun src/main.ts serve --port 0 --tools DIR` as a child process, with exactly `env` (plus PATH). */
export async function spawnServe(tools: string, env: Record<string, string> = {}): Promise<ServeProcess> {
  const proc = Bun.spawn([process.execPath, MAIN, 'serve', '--port', '0', '--tools', tools], {
    env: { PATH: process.env.PATH ?? '', NEXUS_DATA_DIR: tempDir('nexus-data-'), ...env },
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  });
  let text = '';
  let out = '';
  void (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of proc.stderr) text += decoder.decode(chunk, { stream: true });
  })();
  void (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of proc.stdout) out += decoder.decode(chunk, { stream: true });
  })();
  const listening = /"msg":"nexus listening","url":"(http:\/\/[^"]+)"/;
  const m = await waitFor(
    () => {
      if (proc.exitCode !== null) throw new Error(`serve exited ${proc.exitCode}: ${text}`);
      return listening.exec(text);
    },
    10_000,
    'nexus listening',
  );
  return { proc, mcpUrl: m![1]!, stderr: () => text, stdout: () => out };
}

/** A raw JSON-RPC tools/call (2025-11-25, no session): the parsed JSON-RPC answer. */
export async function postToolCall(mcpUrl: string, name: string, id = 1): Promise<{ status: number; body: unknown }> {
  const res = await rawPost(new URL(mcpUrl), JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: {} } }));
  return { status: res.status, body: res.json };
}
