// SDK v1 clients of two eras (1.32, and 1.10 from the 2025-03-26 revision) on the deprecated HTTP+SSE
// transport, and mcp-remote (Claude Desktop's bridge) spawned as a stdio process.
import { fileURLToPath } from 'node:url';
import { Client as ClientOld } from 'sdk-v1-2025-03/client/index.js';
import { SSEClientTransport as SseOld } from 'sdk-v1-2025-03/client/sse.js';
import { StreamableHTTPClientTransport as StreamableOld } from 'sdk-v1-2025-03/client/streamableHttp.js';
import { Client } from 'sdk-v1-latest/client/index.js';
import { SSEClientTransport } from 'sdk-v1-latest/client/sse.js';
import { StdioClientTransport } from 'sdk-v1-latest/client/stdio.js';
import { StreamableHTTPClientTransport } from 'sdk-v1-latest/client/streamableHttp.js';
import { tempDir } from './files.ts';

const MCP_REMOTE = fileURLToPath(import.meta.resolve('mcp-remote/dist/proxy.js'));

/** A v1 release's client and transports (typed as the latest's; the calls used here are the same in both). */
export interface SseClientKind {
  readonly name: string;
  readonly Client: new (info: { name: string; version: string }) => InstanceType<typeof Client>;
  readonly Sse: typeof SSEClientTransport;
  readonly Streamable: typeof StreamableHTTPClientTransport;
}

export const SSE_CLIENTS: readonly SseClientKind[] = [
  { name: 'SDK 1.32', Client, Sse: SSEClientTransport, Streamable: StreamableHTTPClientTransport },
  { name: 'SDK 1.10 (2025-03)', Client: ClientOld, Sse: SseOld, Streamable: StreamableOld } as unknown as SseClientKind,
];

/** A v1 client connected over HTTP+SSE; `timeout` bounds the connect (the SDK default is 60 s). */
export async function connectSse(
  kind: SseClientKind,
  url: URL,
  headers: Record<string, string> = {},
  timeout = 5000,
  /** The client's fetch for its POSTs (SDK 1.10 has none: its POSTs use the global fetch). */
  postFetch?: (url: string | URL, init?: RequestInit) => Promise<Response>,
) {
  const client = new kind.Client({ name: 'nexus-sse-test', version: '1.0.0' });
  const transport = new kind.Sse(url, {
    requestInit: { headers },
    ...(postFetch && { fetch: postFetch }),
    // SDK 1.10 sends only what this fetch sends on the stream request
    eventSourceInit: {
      fetch: (u: string | URL, init?: RequestInit) => {
        const h = new Headers(init?.headers);
        h.set('accept', 'text/event-stream');
        for (const [k, v] of Object.entries(headers)) h.set(k, v);
        return fetch(u, { ...init, headers: h });
      },
    },
  });
  await client.connect(transport, { timeout });
  return client;
}

export interface McpRemote {
  readonly client: InstanceType<typeof Client>;
  /** What mcp-remote printed on stderr so far. */
  stderr(): string;
  close(): Promise<void>;
}

/**
 * mcp-remote spawned as a stdio bridge to `url` (with `args` such as `--transport sse-only`), driven by
 * an SDK stdio client. Its OAuth state goes to a fresh directory; it never finds a browser to open.
 */
export async function startMcpRemote(url: string, args: string[] = [], timeout = 15_000): Promise<McpRemote> {
  const transport = new StdioClientTransport({
    command: 'node',
    args: [MCP_REMOTE, url, ...args],
    env: { ...(process.env as Record<string, string>), MCP_REMOTE_CONFIG_DIR: tempDir('mcp-remote-'), BROWSER: 'true' },
    stderr: 'pipe',
  });
  let err = '';
  transport.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const client = new Client({ name: 'nexus-mcp-remote-test', version: '1.0.0' });
  const close = () => client.close().catch(() => {});
  try {
    await client.connect(transport, { timeout });
  } catch (e) {
    await close();
    throw Object.assign(new Error(`mcp-remote did not connect: ${(e as Error).message}\n${err}`), { stderr: err });
  }
  return { client, stderr: () => err, close };
}

/** Runs mcp-remote against `url` expecting it to fail; its stderr. */
export async function mcpRemoteFailure(url: string, args: string[] = []): Promise<string> {
  try {
    const r = await startMcpRemote(url, args);
    await r.close();
  } catch (e) {
    return (e as { stderr?: string }).stderr ?? String(e);
  }
  throw new Error('mcp-remote connected');
}
