// SDK v1 clients of two eras (1.32, and 1.10 from the 2025-03-26 revision) on the deprecated HTTP+SSE
// transport, and mcp-remote (Claude Desktop's bridge) spawned as a stdio process.
import { Client as ClientOld } from 'sdk-v1-2025-03/client/index.js';
import { SSEClientTransport as SseOld } from 'sdk-v1-2025-03/client/sse.js';
import { StreamableHTTPClientTransport as StreamableOld } from 'sdk-v1-2025-03/client/streamableHttp.js';
import { Client } from 'sdk-v1-latest/client/index.js';
import { SSEClientTransport } from 'sdk-v1-latest/client/sse.js';
import { StreamableHTTPClientTransport } from 'sdk-v1-latest/client/streamableHttp.js';

export const SSE_CLIENTS = [
  { name: 'SDK 1.32', Client, Sse: SSEClientTransport, Streamable: StreamableHTTPClientTransport },
  { name: 'SDK 1.10 (2025-03)', Client: ClientOld, Sse: SseOld, Streamable: StreamableOld },
] as const;

export type SseClientKind = (typeof SSE_CLIENTS)[number];

/** A v1 client connected over HTTP+SSE; `timeout` bounds the connect (the SDK default is 60 s). */
export async function connectSse(kind: SseClientKind, url: URL, headers: Record<string, string> = {}, timeout = 5000) {
  const client = new kind.Client({ name: 'nexus-sse-test', version: '1.0.0' });
  const transport = new kind.Sse(url, {
    requestInit: { headers },
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
