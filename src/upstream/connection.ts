// Opens one MCP client session to an upstream: Streamable HTTP (falling back to HTTP+SSE for servers
// that predate it) or a stdio child, speaking the revision the server entry asks for.
import { Client, SSEClientTransport, StreamableHTTPClientTransport, type Transport } from '@modelcontextprotocol/client';
import type { HttpOptions } from '../invoke/http.ts';
import type { Injected } from '../invoke/types.ts';
import type { Logger } from '../log.ts';
import type { ServerSpec } from '../registry/spec.ts';
import { isSecretName, registerSecret } from '../util/redact.ts';
import { upstreamFetch } from './fetch.ts';
import { StdioTransport } from './stdio.ts';

export interface Connection {
  readonly client: Client;
  readonly transport: Transport;
  /** The credential values this session carried, masked in everything it answers. */
  readonly secrets: Set<string>;
  /** `streamable-http`, `sse` or `stdio`. */
  readonly via: string;
}

export interface ConnectDeps {
  readonly http: HttpOptions;
  readonly log: Logger;
  readonly version: string;
}

export interface ConnectOptions {
  readonly credential: (attempt: 1 | 2) => Promise<Injected>;
  readonly refreshable: boolean;
  /** Called for the upstream's change notifications, and when the session ends. */
  readonly onListChanged: (what: 'tools' | 'prompts' | 'resources') => void;
  readonly onClose: (reason: string) => void;
}

const isHttpStatus = (e: unknown, ...codes: number[]) => {
  const status = (e as { status?: number; code?: number }).status ?? (e as { code?: number }).code;
  return typeof status === 'number' && codes.includes(status);
};

function newClient(server: ServerSpec, deps: ConnectDeps, o: ConnectOptions): Client {
  const mode =
    server.transport.kind === 'stdio' || server.transport.protocol === '2025-11-25'
      ? ('legacy' as const)
      : server.transport.protocol === '2026-07-28'
        ? { pin: '2026-07-28' }
        : ('auto' as const);
  // No sampling, elicitation or roots capability: a compliant upstream does not send those requests,
  // and one that does gets "method not found" at once rather than a hang.
  const client = new Client({ name: 'nexus', version: deps.version }, { versionNegotiation: { mode }, listMaxPages: 64 });
  client.setNotificationHandler('notifications/tools/list_changed', () => o.onListChanged('tools'));
  client.setNotificationHandler('notifications/prompts/list_changed', () => o.onListChanged('prompts'));
  client.setNotificationHandler('notifications/resources/list_changed', () => o.onListChanged('resources'));
  return client;
}

/** Values of secret-looking env variables and headers of a server entry: masked in logs and answers. */
function declaredSecrets(server: ServerSpec): string[] {
  const t = server.transport;
  const named = { ...server.backend.headers, ...(t.kind === 'stdio' ? t.env : {}) };
  return Object.entries(named)
    .filter(([k]) => isSecretName(k))
    .map(([, v]) => v);
}

export async function connect(server: ServerSpec, deps: ConnectDeps, o: ConnectOptions): Promise<Connection> {
  const secrets = new Set<string>(declaredSecrets(server));
  for (const s of secrets) registerSecret(s);
  const timeout = server.backend.timeoutMs;
  const t = server.transport;
  const wire = (client: Client, transport: Transport, via: string): Connection => {
    let ended = false;
    client.onclose = () => {
      if (ended) return;
      ended = true;
      o.onClose(transport instanceof StdioTransport ? (transport.exitReason ?? 'closed') : 'session closed');
    };
    return { client, transport, secrets, via };
  };
  if (t.kind === 'stdio') {
    const env: Record<string, string> = { ...t.env };
    const injected = await o.credential(1);
    Object.assign(env, injected.env);
    for (const s of injected.secrets) secrets.add(s);
    const transport = new StdioTransport({
      command: t.command,
      args: t.args,
      env,
      ...(t.cwd !== undefined && { cwd: t.cwd }),
      maxLineBytes: server.backend.maxResponseBytes,
      log: deps.log,
    });
    const client = newClient(server, deps, o);
    try {
      await client.connect(transport, { timeout });
    } catch (e) {
      await transport.close().catch(() => {});
      throw transport.exitReason ? new Error(transport.exitReason) : e;
    }
    return wire(client, transport, 'stdio');
  }
  const fetch = upstreamFetch({
    backend: server.backend,
    http: deps.http,
    credential: o.credential,
    refreshable: o.refreshable,
    onInjected: (i) => {
      for (const s of i.secrets) secrets.add(s);
    },
  });
  const client = newClient(server, deps, o);
  const streamable = new StreamableHTTPClientTransport(t.url, { fetch });
  try {
    await client.connect(streamable, { timeout });
    return wire(client, streamable, 'streamable-http');
  } catch (e) {
    await client.close().catch(() => {});
    // A server from before Streamable HTTP answers the POST with 4xx: try its GET /sse stream
    if (t.protocol === '2026-07-28' || !isHttpStatus(e, 400, 404, 405)) throw e;
  }
  const legacy = newClient(server, deps, o);
  const sse = new SSEClientTransport(t.url, { fetch });
  await legacy.connect(sse, { timeout });
  return wire(legacy, sse, 'sse');
}
