// Opens one MCP client session to an upstream: Streamable HTTP (falling back to HTTP+SSE for servers
// that predate it) or a stdio child, speaking the revision the server entry asks for.
import {
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  Client,
  PROTOCOL_VERSION_META_KEY,
  type ProtocolError,
  SSEClientTransport,
  StreamableHTTPClientTransport,
  type Transport,
} from '@modelcontextprotocol/client';
import type { ClientRequestMethod } from '../call/types.ts';
import type { HttpOptions } from '../invoke/http.ts';
import type { Injected } from '../invoke/types.ts';
import type { Logger } from '../log.ts';
import type { ServerSpec } from '../registry/spec.ts';
import { isSecretName, registerSecret } from '../util/redact.ts';
import type { DirectSession } from './direct.ts';
import { type FetchLike, upstreamFetch } from './fetch.ts';
import { attribute, CLIENT_REQUESTS, outsideCalls, RELAY_CAPABILITIES, type RelayTarget } from './relay.ts';
import { StdioTransport } from './stdio.ts';

export interface Connection {
  readonly client: Client;
  readonly transport: Transport;
  /** Calls in flight on this session, to attribute the upstream's own requests to (relay.ts). */
  readonly calls: Set<RelayTarget>;
  /** The credential values this session carried, masked in everything it answers. */
  readonly secrets: Set<string>;
  /** `streamable-http`, `sse` or `stdio`. */
  readonly via: string;
  /** Streamable HTTP: what tools/call needs to post on this session itself (src/upstream/direct.ts). */
  readonly direct?: DirectSession;
}

export interface ConnectDeps {
  readonly http: HttpOptions;
  readonly log: Logger;
  readonly version: string;
}

export interface ConnectOptions {
  readonly credential: (attempt: 1 | 2) => Injected | Promise<Injected>;
  readonly refreshable: boolean;
  /** Called for the upstream's change notifications, and when the session ends. */
  readonly onListChanged: (what: 'tools' | 'prompts' | 'resources') => void;
  /** Called for the upstream's notifications/resources/updated (the upstream's own URI). */
  readonly onResourceUpdated?: (uri: string) => void;
  readonly onClose: (reason: string) => void;
  /** Answers the upstream's sampling, elicitation and roots requests; `target` names the call they belong to. */
  readonly onClientRequest: (
    method: ClientRequestMethod,
    params: Record<string, unknown>,
    target: () => RelayTarget | ProtocolError,
    signal: AbortSignal,
  ) => Promise<Record<string, unknown>>;
}

const isHttpStatus = (e: unknown, ...codes: number[]) => {
  const status = (e as { status?: number; code?: number }).status ?? (e as { code?: number }).code;
  return typeof status === 'number' && codes.includes(status);
};

function newClient(server: ServerSpec, deps: ConnectDeps, o: ConnectOptions, calls: Set<RelayTarget>): Client {
  const mode =
    server.transport.kind === 'stdio' || server.transport.protocol === '2025-11-25'
      ? ('legacy' as const)
      : server.transport.protocol === '2026-07-28'
        ? { pin: '2026-07-28' }
        : ('auto' as const);
  // Sampling, elicitation and roots are declared: each request is relayed to the client of the call
  // that caused it, or refused at once saying why (relay.ts)
  const client = new Client(
    { name: 'nexus', version: deps.version },
    { versionNegotiation: { mode }, listMaxPages: 64, capabilities: RELAY_CAPABILITIES },
  );
  for (const method of CLIENT_REQUESTS) {
    client.setRequestHandler(method, (req, ctx) => {
      const params = (req.params ?? {}) as Record<string, unknown>;
      // the client's answer goes back as it is; the SDK checks its shape for the method
      return o.onClientRequest(method, params, () => attribute(method, calls), ctx.mcpReq.signal) as Promise<never>;
    });
  }
  client.setNotificationHandler('notifications/tools/list_changed', () => o.onListChanged('tools'));
  client.setNotificationHandler('notifications/prompts/list_changed', () => o.onListChanged('prompts'));
  client.setNotificationHandler('notifications/resources/list_changed', () => o.onListChanged('resources'));
  // 2025-11-25: on the session's GET stream after resources/subscribe; 2026-07-28: on a listen stream
  client.setNotificationHandler('notifications/resources/updated', (n) => o.onResourceUpdated?.(n.params.uri));
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

/** Opens a session outside any call's context, so that its streams never pass for a call's. */
export const connect = (server: ServerSpec, deps: ConnectDeps, o: ConnectOptions): Promise<Connection> =>
  outsideCalls(() => open(server, deps, o));

async function open(server: ServerSpec, deps: ConnectDeps, o: ConnectOptions): Promise<Connection> {
  const calls = new Set<RelayTarget>();
  const secrets = new Set<string>(declaredSecrets(server));
  for (const s of secrets) registerSecret(s);
  const timeout = server.backend.timeoutMs;
  const t = server.transport;
  const wire = (client: Client, transport: Transport, via: string, direct?: DirectSession): Connection => {
    let ended = false;
    client.onclose = () => {
      if (ended) return;
      ended = true;
      o.onClose(transport instanceof StdioTransport ? (transport.exitReason ?? 'closed') : 'session closed');
    };
    return { client, transport, calls, secrets, via, ...(direct && { direct }) };
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
    const client = newClient(server, deps, o, calls);
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
  const client = newClient(server, deps, o, calls);
  const streamable = new StreamableHTTPClientTransport(t.url, { fetch });
  try {
    await client.connect(streamable, { timeout });
    return wire(client, streamable, 'streamable-http', directSession(client, streamable, t.url, fetch, deps.version));
  } catch (e) {
    await client.close().catch(() => {});
    // A server from before Streamable HTTP answers the POST with 4xx: try its GET /sse stream
    if (t.protocol === '2026-07-28' || !isHttpStatus(e, 400, 404, 405)) throw e;
  }
  const legacy = newClient(server, deps, o, calls);
  const sse = new SSEClientTransport(t.url, { fetch });
  await legacy.connect(sse, { timeout });
  return wire(legacy, sse, 'sse');
}

/** The negotiated session as src/upstream/direct.ts posts on it; undefined before a version is agreed. */
function directSession(
  client: Client,
  transport: StreamableHTTPClientTransport,
  url: URL,
  fetch: FetchLike,
  version: string,
): DirectSession | undefined {
  const protocolVersion = client.getNegotiatedProtocolVersion();
  const era = client.getProtocolEra();
  if (!protocolVersion || !era) return undefined;
  return {
    url,
    fetch,
    era,
    protocolVersion,
    sessionId: () => transport.sessionId,
    ...(era === 'modern' && {
      envelope: {
        [PROTOCOL_VERSION_META_KEY]: protocolVersion,
        [CLIENT_INFO_META_KEY]: { name: 'nexus', version },
        [CLIENT_CAPABILITIES_META_KEY]: RELAY_CAPABILITIES, // what the Client declares too
      },
    }),
    cancel: (requestId, reason) =>
      void client.notification({ method: 'notifications/cancelled', params: { requestId, reason } }).catch(() => {}),
    deliver: (message) => transport.onmessage?.(message as never),
  };
}
