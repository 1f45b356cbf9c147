// The SDK server one MCP request is served by: tools/list and tools/call over the call pipeline.
// A fresh, cheap instance per request (two handlers); everything heavy is memoised per tool set.
import {
  type CallToolResult,
  ProtocolError,
  ResourceNotFoundError,
  Server,
  type ServerContext,
  type Tool,
} from '@modelcontextprotocol/server';
import { type CallPipeline, unknownTool } from '../call/pipeline.ts';
import type { CallOutcome, ClientChannel, Progress } from '../call/types.ts';
import type { Caller } from '../caller.ts';
import { toolDescriptor } from '../catalogue/stats.ts';
import { isNexusError, toNexusError } from '../errors.ts';
import { DEFAULT_TIMEOUT_MS } from '../registry/normalise.ts';
import type { ToolSpec } from '../registry/spec.ts';
import type { UpstreamExtras } from '../upstream/extras.ts';
import type { InflightCall } from './inflight.ts';
import { type ClientRelay, relayable, sessionCapabilities } from './relay.ts';
import { RelayError, type Remote } from './relay-step.ts';
import type { ResourceSubscriptions } from './subscriptions.ts';

export const SERVER_INFO = { name: 'nexus', title: 'Nexus MCP gateway', version: '0.1.0' };

/** The SDK's Tool type over the one descriptor the catalogue sizes are measured on. */
export const toMcpTool = (t: ToolSpec): Tool => toolDescriptor(t) as Tool;

/** Any failure as the JSON-RPC error for the wire: the upstream's or client's own kept, a NexusError mapped. */
function asProtocolError(e: unknown): ProtocolError {
  if (e instanceof RelayError) return new ProtocolError(e.code, e.message);
  if (isNexusError(e) || !(e instanceof ProtocolError)) return toProtocolError(e);
  return e;
}

/** A NexusError as the JSON-RPC error the SDK writes on the wire. */
export function toProtocolError(e: unknown): ProtocolError {
  const err = toNexusError(e);
  const data = err.details ? { code: err.code, ...err.details } : { code: err.code };
  return new ProtocolError(err.jsonRpcCode, err.message, data);
}

const EMPTY_LIST_HINTS = {
  'resources/list': { ttlMs: 300_000, cacheScope: 'public' },
  'resources/templates/list': { ttlMs: 300_000, cacheScope: 'public' },
  'prompts/list': { ttlMs: 300_000, cacheScope: 'public' },
} as const;

export interface McpServerDeps {
  readonly pipeline: CallPipeline;
  /** Prompts, resources and completion of federated servers; absent, those lists are empty. */
  readonly extras?: UpstreamExtras;
  readonly instructions?: string;
  readonly version?: string;
  /** Relays upstreams' sampling, elicitation and roots requests to the clients that can answer. */
  readonly relay?: ClientRelay;
  /** Clients' subscriptions to upstream resources; absent, `resources.subscribe` is not offered. */
  readonly subscriptions?: ResourceSubscriptions;
}

/** Who a request is served for: fixed for a per-request server, read from each message on a session. */
export interface RequestScope {
  readonly caller: Caller;
  readonly requestId: string;
  readonly call?: InflightCall;
}

/** The scope a session's transport put into a message's authInfo (see sse-sessions.ts). */
export const scopeFromMessage = (ctx: ServerContext): RequestScope => ctx.http?.authInfo?.extra?.scope as RequestScope;

export function createMcpServer(deps: McpServerDeps, scoped: RequestScope | ((ctx: ServerContext) => RequestScope)): Server {
  const scopeOf = typeof scoped === 'function' ? scoped : () => scoped;
  // offered only while a federated server offers it (subscriptions.ts carries it to the upstream)
  const subs = deps.subscriptions && deps.extras?.subscribable() ? deps.subscriptions : undefined;
  const server = new Server(
    { ...SERVER_INFO, version: deps.version ?? SERVER_INFO.version },
    {
      // Nexus serves tools only; empty resource and prompt lists tell clients so in a cacheable way.
      capabilities: deps.extras
        ? {
            tools: { listChanged: true },
            resources: { listChanged: true, ...(subs && { subscribe: true }) },
            prompts: { listChanged: true },
            completions: {},
          }
        : { tools: { listChanged: true }, resources: {}, prompts: {} },
      ...(!deps.extras && { cacheHints: EMPTY_LIST_HINTS }),
      ...(deps.instructions && { instructions: deps.instructions }),
    },
  );
  const x = deps.extras;
  const guarded =
    <T>(fn: () => Promise<T>) =>
    async (): Promise<T> => {
      try {
        return await fn();
      } catch (e) {
        throw asProtocolError(e);
      }
    };
  // Runs a request that an upstream may answer with requests of its own (tools/call, prompts/get,
  // resources/read), with the channel back to this client that its revision allows (relay.ts)
  const viaClient = async <T>(
    ctx: ServerContext,
    caller: Caller,
    key: string,
    run: (client: ClientChannel | undefined, signal: AbortSignal) => Promise<T>,
    signal: AbortSignal,
    /** How a retry handed to the instance holding the call waits, and rebuilds its outcome (default: as JSON, 30s). */
    remote: () => Remote<T> = () => ({ timeoutMs: DEFAULT_TIMEOUT_MS, revive: (v) => v as T }),
  ): Promise<{ value: T } | { input: Record<string, unknown> }> => {
    const relay = deps.relay;
    const modern = ctx.mcpReq.envelope !== undefined;
    // a server that saw this client's initialize (an HTTP+SSE session, or 2026-07-28's envelope) knows its capabilities
    const own = relay && relayable(server.getClientCapabilities());
    if (relay && own && !modern) {
      // an HTTP+SSE session: the SDK sends on the session's stream and matches the answer itself
      const ask = (method: string, params: Record<string, unknown>, s: AbortSignal) =>
        ctx.mcpReq.send({ method, params } as never, { signal: s }) as Promise<Record<string, unknown>>;
      return { value: await run({ via: '2024-11-05 session', capabilities: own, ask }, signal) };
    }
    const caps = relay && (modern ? own : sessionCapabilities(caller.session));
    if (!relay || !caps) return { value: await run(undefined, signal) };
    if (!modern) {
      // 2025-11-25 with a Nexus session: the requests go out on this request's SSE stream
      const write = (m: Record<string, unknown>) => server.transport!.send(m as never, { relatedRequestId: ctx.mcpReq.id });
      return { value: await run(relay.streamChannel(caller, caps, write), signal) };
    }
    // 2026-07-28: the upstream's requests come back to the client as input_required rounds
    const state = ctx.mcpReq.requestState<string>();
    const step = await (state
      ? relay.resume<T>(caller, key, state, ctx.mcpReq.inputResponses, signal, remote())
      : relay.start(caller, key, caps, run, signal));
    if (step.kind === 'input') return { input: { resultType: 'input_required', inputRequests: step.requests, requestState: step.state } };
    if (step.kind === 'failed') throw step.error;
    return { value: step.value };
  };
  server.setRequestHandler('resources/list', async (_r, ctx) => ({ resources: (x?.resources(scopeOf(ctx).caller) ?? []) as never[] }));
  server.setRequestHandler('resources/templates/list', async (_r, ctx) => ({
    resourceTemplates: (x?.templates(scopeOf(ctx).caller) ?? []) as never[],
  }));
  server.setRequestHandler('resources/read', async (request, ctx) => {
    const uri = request.params.uri;
    const caller = scopeOf(ctx).caller;
    const done = await guarded(() =>
      viaClient(ctx, caller, `resource:${uri}`, async (client, s) => x?.readResource(uri, caller, s, client), ctx.mcpReq.signal),
    )();
    if ('input' in done) return done.input as never;
    if (!done.value) throw new ResourceNotFoundError(uri, `Resource not found: ${uri}`);
    return done.value as never;
  });
  if (subs) {
    // 2025-11-25 and HTTP+SSE clients; a 2026-07-28 client names its URIs on subscriptions/listen instead
    server.setRequestHandler('resources/subscribe', async (request, ctx) => {
      await guarded(() => subs.subscribe(scopeOf(ctx).caller, request.params.uri))();
      return {};
    });
    server.setRequestHandler('resources/unsubscribe', async (request, ctx) => {
      await guarded(() => subs.unsubscribe(scopeOf(ctx).caller, request.params.uri))();
      return {};
    });
  }
  server.setRequestHandler('prompts/list', async (_r, ctx) => ({ prompts: (x?.prompts(scopeOf(ctx).caller) ?? []) as never[] }));
  server.setRequestHandler('prompts/get', async (request, ctx) => {
    const { name, arguments: args } = request.params;
    if (!x) throw new ProtocolError(-32602, `Unknown prompt: ${name}`);
    const caller = scopeOf(ctx).caller;
    const done = await guarded(() =>
      viaClient(ctx, caller, `prompt:${name}`, (client, s) => x.getPrompt(name, args, caller, s, client), ctx.mcpReq.signal),
    )();
    if ('input' in done) return done.input as never;
    if (!done.value) throw new ProtocolError(-32602, `Unknown prompt: ${name}`);
    return done.value as never;
  });
  if (x) {
    server.setRequestHandler('completion/complete', async (request, ctx) => {
      const done = await guarded(() => x.complete(request.params as Record<string, unknown>, scopeOf(ctx).caller, ctx.mcpReq.signal))();
      return (done ?? { completion: { values: [] } }) as never;
    });
  }
  server.setRequestHandler('tools/list', async (_r, ctx) => ({ tools: deps.pipeline.visibleTools(scopeOf(ctx).caller).map(toMcpTool) }));
  server.setRequestHandler('tools/call', async (request, ctx) => {
    const { name, arguments: args } = request.params;
    const { caller, requestId, call } = scopeOf(ctx);
    try {
      const signal = call ? AbortSignal.any([ctx.mcpReq.signal, call.signal]) : ctx.mcpReq.signal;
      const token = request.params._meta?.progressToken;
      // an upstream's progress reaches the client that asked for it, under the client's own token
      const onProgress =
        token === undefined
          ? undefined
          : (p: Progress) =>
              void ctx.mcpReq.notify({ method: 'notifications/progress', params: { progressToken: token, ...p } }).catch(() => {});
      const callCtx = { requestId, ...(onProgress && { onProgress }) };
      const run = (client: ClientChannel | undefined, s: AbortSignal) =>
        deps.pipeline.call(name, args, caller, { ...callCtx, signal: s, ...(client && { client }) });
      // a retry resumed on another instance: its outcome comes back without the tool, which is this one's to know
      const remote = () => {
        const tool = deps.pipeline.visibleTools(caller).find((t) => t.name === name);
        if (!tool) throw unknownTool(String(name));
        return { timeoutMs: tool.backend.timeoutMs, revive: (v: unknown) => ({ ...(v as CallOutcome), tool }) };
      };
      const done = await viaClient(ctx, caller, name, run, signal, remote);
      if ('input' in done) return done.input as never;
      const outcome: CallOutcome = done.value;
      const r = outcome.result;
      const result: CallToolResult = {
        content: r.content as CallToolResult['content'],
        isError: r.isError,
        _meta: {
          'nexus/source': outcome.source,
          ...(r.status !== undefined && { 'nexus/status': r.status }),
          ...(r.retryAfter !== undefined && { 'nexus/retryAfter': r.retryAfter }),
        },
      };
      if (r.structuredContent && !r.isError) result.structuredContent = r.structuredContent;
      return server.projectCallToolResult(result, outcome.tool.outputSchema);
    } catch (e) {
      throw asProtocolError(e);
    } finally {
      call?.end();
    }
  });
  return server;
}
