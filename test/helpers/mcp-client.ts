// Official SDK clients for each protocol revision.
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';

export const REVISIONS = [
  { name: '2025-11-25', mode: 'legacy' as const },
  { name: '2026-07-28', mode: { pin: '2026-07-28' } },
];

export async function connect(url: URL, revision: (typeof REVISIONS)[number], headers: Record<string, string> = {}) {
  const client = new Client({ name: 'nexus-test', version: '1.0.0' }, { versionNegotiation: { mode: revision.mode } });
  await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers } }));
  return client;
}

/** Raw JSON-RPC POST (2025-11-25 style, no session) for protocol edge cases. */
export async function rawPost(url: URL, body: string | Uint8Array, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: body as BodyInit,
  });
  const text = await res.text();
  const json = (() => {
    const data =
      text.startsWith('event:') || text.startsWith('data:')
        ? text
            .split('\n')
            .find((l) => l.startsWith('data: '))
            ?.slice(6)
        : text;
    try {
      return JSON.parse(data ?? '');
    } catch {
      return undefined;
    }
  })();
  return { status: res.status, headers: res.headers, text, json };
}
