// One federated server at run time: its sessions (one per credential identity, the listing one
// shared), its state for /readyz and `nexus servers list`, tool-list refreshes (list_changed, timer)
// and reconnects with backoff when it is down or its child process exited.
import { type Client, type Prompt, ProtocolError, type Resource, type ResourceTemplateType, type Tool } from '@modelcontextprotocol/client';
import type { ClientChannel, InvokeContext } from '../call/types.ts';
import { ANONYMOUS, type Caller } from '../caller.ts';
import { NexusError } from '../errors.ts';
import { scrub, type ToolResult } from '../invoke/result.ts';
import type { CredentialIdentity, InjectCredential, Injected } from '../invoke/types.ts';
import { NOTHING_INJECTED } from '../invoke/types.ts';
import type { McpToolSpec, ServerSpec } from '../registry/spec.ts';
import { NOOP_TRACER, type Tracer } from '../trace/tracer.ts';
import { formatDuration } from '../util/duration.ts';
import { dataMasker } from '../util/redact-data.ts';
import { callUpstream } from './call.ts';
import { toToolSpecs, type UpstreamTool } from './catalogue.ts';
import { type ConnectDeps, type Connection, connect } from './connection.ts';
import { sessionLost, upstreamFailure } from './failure.ts';
import { asTarget, relay } from './relay.ts';
import { servedUri } from './resource-uri.ts';
import { StdioTransport } from './stdio.ts';
import { openSubscription, UpstreamSubscription } from './subscription.ts';

export type ServerState = 'starting' | 'ready' | 'down' | 'stopped';

export interface ServerStatus {
  readonly name: string;
  readonly transport: 'http' | 'stdio';
  /** The URL (without query) or the command line. */
  readonly target: string;
  readonly state: ServerState;
  readonly tools: number;
  readonly prompts: number;
  readonly resources: number;
  readonly protocol?: string;
  readonly via?: string;
  readonly error?: string;
  readonly restarts: number;
  readonly since: string;
}

export interface RuntimeDeps extends ConnectDeps {
  readonly inject?: InjectCredential;
  readonly credentialIdentity?: CredentialIdentity;
  /** Hands the server's current tools to the registry. */
  readonly publish: (server: ServerSpec, tools: McpToolSpec[]) => void;
  /** Told when the server's prompts or resources changed (after the first listing). */
  readonly extrasChanged?: (what: 'prompts' | 'resources') => void;
  /** Told when a subscribed resource changed (its URI as Nexus serves it). */
  readonly resourceUpdated?: (uri: string) => void;
  /** Opens a client span per upstream call (off: a no-op). */
  readonly tracer?: Tracer;
  /** First and longest wait between reconnect attempts. */
  readonly backoff?: { readonly minMs: number; readonly maxMs: number };
}

const MAX_SESSIONS = 256;
const isOAuth = (s: ServerSpec) => s.auth?.type === 'oauth2_client_credentials' || s.auth?.type === 'oauth2_refresh_token';

export class ServerRuntime {
  private readonly sessions = new Map<string, Promise<Connection>>();
  private readonly live = new Set<Connection>();
  private state: ServerState = 'starting';
  private error?: string;
  private since = Date.now();
  private restarts = 0;
  private protocol?: string;
  private via?: string;
  private retryTimer?: ReturnType<typeof setTimeout>;
  private refreshTimer?: ReturnType<typeof setInterval>;
  private nextAttempt = 0;
  private delay: number;
  private refreshing?: Promise<void>;
  private refreshAgain = false;
  private stopped = false;
  private upstreamTools = new Map<string, Tool>();
  private listed = false;
  /** The upstream's prompts, resources and templates as it lists them (names not yet namespaced). */
  extras: { prompts: Prompt[]; resources: Resource[]; templates: ResourceTemplateType[] } = { prompts: [], resources: [], templates: [] };
  private counts = { tools: 0, prompts: 0, resources: 0 };
  /** Whether the server offers resource subscriptions (its listing session's capabilities). */
  subscribable = false;
  /** Upstream subscriptions, one per credential identity and URI, shared by every subscriber (subscription.ts). */
  private readonly subscriptions = new Map<string, UpstreamSubscription>();

  constructor(
    readonly spec: ServerSpec,
    private readonly deps: RuntimeDeps,
  ) {
    this.delay = deps.backoff?.minMs ?? 500;
  }

  /** Settles once the first listing has answered or failed. */
  firstListing: Promise<void> = Promise.resolve();

  start(): void {
    this.firstListing = this.refresh();
    this.refreshTimer = setInterval(() => void this.refresh(), this.spec.refreshMs);
    this.refreshTimer.unref?.();
  }

  status(): ServerStatus {
    const t = this.spec.transport;
    const target = t.kind === 'http' ? `${t.url.origin}${t.url.pathname}` : [t.command, ...t.args].join(' ');
    return {
      name: this.spec.name,
      transport: t.kind,
      target,
      state: this.state,
      ...this.counts,
      ...(this.protocol && { protocol: this.protocol }),
      ...(this.via && { via: this.via }),
      ...(this.error && { error: this.error }),
      restarts: this.restarts,
      since: new Date(this.since).toISOString(),
    };
  }

  /** Re-reads the tool list over the listing session; a failure marks the server down and retries. */
  refresh(): Promise<void> {
    if (this.refreshing) {
      this.refreshAgain = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      do {
        this.refreshAgain = false;
        try {
          const conn = await this.connection(ANONYMOUS, true);
          const { tools } = await conn.client.listTools(undefined, { timeout: this.spec.backend.timeoutMs, cacheMode: 'refresh' });
          this.upstreamTools = new Map(tools.map((t) => [t.name, t]));
          const served = toToolSpecs(this.spec, tools as unknown as UpstreamTool[]);
          if (served.unusable.length) {
            this.deps.log.warn('upstream tools left out: their inputSchema cannot be used', {
              server: this.spec.name,
              tools: served.unusable,
            });
          }
          const extras = await this.listExtras(conn.client);
          const was = this.extras;
          this.extras = extras;
          if (this.listed && JSON.stringify(was.prompts) !== JSON.stringify(extras.prompts)) this.deps.extrasChanged?.('prompts');
          if (this.listed && JSON.stringify([was.resources, was.templates]) !== JSON.stringify([extras.resources, extras.templates]))
            this.deps.extrasChanged?.('resources');
          this.listed = true;
          this.counts = { tools: served.tools.length, prompts: this.extras.prompts.length, resources: this.extras.resources.length };
          this.deps.publish(this.spec, served.tools);
          this.markReady(conn);
        } catch (e) {
          this.markDown(upstreamFailure(this.spec.name, e, this.spec.backend.timeoutMs).message);
        }
      } while (this.refreshAgain && !this.stopped);
    })().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async listExtras(client: Client) {
    const caps = client.getServerCapabilities() ?? {};
    this.subscribable = caps.resources?.subscribe === true;
    const o = { timeout: this.spec.backend.timeoutMs, cacheMode: 'refresh' as const };
    const [prompts, resources, templates] = await Promise.all([
      caps.prompts ? client.listPrompts(undefined, o).then((r) => r.prompts) : [],
      caps.resources ? client.listResources(undefined, o).then((r) => r.resources) : [],
      caps.resources ? client.listResourceTemplates(undefined, o).then((r) => r.resourceTemplates) : [],
    ]);
    return { prompts, resources, templates };
  }

  /** Runs one request on this caller's session; a lost session is re-opened once. */
  async request<T>(
    caller: Caller,
    signal: AbortSignal | undefined,
    fn: (client: Client, timeout: number) => Promise<T>,
    channel?: ClientChannel,
  ): Promise<T> {
    const timeout = this.spec.backend.timeoutMs;
    for (let attempt = 1; ; attempt++) {
      const conn = await this.connection(caller, false);
      try {
        // without a channel it still counts: an upstream request during it is refused, never misrouted
        return await asTarget(conn.calls, { ...(channel && { channel }), deadline: Date.now() + timeout }, () => fn(conn.client, timeout));
      } catch (e) {
        if (attempt === 1 && sessionLost(e) && !signal?.aborted) {
          await this.reset(conn);
          continue;
        }
        throw e;
      }
    }
  }

  /**
   * A prompts/resources/completion request for a client of Nexus: the answer with the session's
   * credential values masked; the upstream's own JSON-RPC error keeps its code (resource not found,
   * invalid params), any other failure is an upstream failure.
   */
  async ask<T>(
    caller: Caller,
    signal: AbortSignal | undefined,
    fn: (client: Client, timeout: number) => Promise<T>,
    channel?: ClientChannel,
  ): Promise<T> {
    try {
      const out = await this.request(caller, signal, fn, channel);
      const secrets = [...(await this.secretsFor(caller))];
      return JSON.parse(scrub(JSON.stringify(out), secrets)) as T;
    } catch (e) {
      throw this.failure(e);
    }
  }

  /** The upstream's own JSON-RPC error with its code kept (resource not found, invalid params), or an upstream failure. */
  private failure(e: unknown): Error {
    return e instanceof ProtocolError
      ? new ProtocolError(e.code, scrub(e.message, []).slice(0, 300))
      : upstreamFailure(this.spec.name, e, this.spec.backend.timeoutMs);
  }

  /**
   * Subscribes to the upstream's `uri` for this caller's credential: shared with every other
   * subscriber of it, ended upstream when the last one releases (or the session ends).
   */
  async subscribe(caller: Caller, uri: string): Promise<() => void> {
    const key = `${await this.identity(caller)}\n${uri}`;
    let sub = this.subscriptions.get(key);
    if (!sub) {
      const created = new UpstreamSubscription(this.request(caller, undefined, (c, timeout) => openSubscription(c, uri, timeout)));
      sub = created;
      this.subscriptions.set(key, created);
      created.opened.catch(() => this.subscriptions.get(key) === created && this.subscriptions.delete(key));
    }
    const held = sub;
    return held
      .take(() => this.subscriptions.get(key) === held && this.subscriptions.delete(key))
      .catch((e) => {
        throw this.failure(e);
      });
  }

  /** Upstream subscriptions held (for the gauge). */
  get subscriptionCount(): number {
    return this.subscriptions.size;
  }

  /** The credential values the caller's session carried, for masking. */
  async secretsFor(caller: Caller): Promise<Set<string>> {
    return (await this.connection(caller, false)).secrets;
  }

  async call(tool: string, args: Record<string, unknown>, caller: Caller, ctx: InvokeContext): Promise<ToolResult> {
    const timeoutMs = ctx.timeoutMs ?? this.spec.backend.timeoutMs;
    const definition = this.upstreamTools.get(tool);
    for (let attempt = 1 as 1 | 2; ; attempt = 2) {
      const conn = await this.connection(caller, false);
      try {
        const c = { server: this.spec, tool, args, timeoutMs, ctx, attempt, ...(definition && { definition }) };
        // the upstream's own requests during the call are relayed to this call's client (relay.ts)
        const target = { ...(ctx.client && { channel: ctx.client }), deadline: Date.now() + timeoutMs };
        return await asTarget(conn.calls, target, () => callUpstream(conn, c, this.deps.tracer ?? NOOP_TRACER));
      } catch (e) {
        if (attempt === 1 && sessionLost(e) && !ctx.signal?.aborted) {
          await this.reset(conn); // upstream restarted or dropped the session: a new one, one retry
          continue;
        }
        const failure = upstreamFailure(this.spec.name, e, timeoutMs, conn.secrets);
        if (failure.code === 'UPSTREAM_UNREACHABLE') {
          await this.reset(conn);
          this.markDown(failure.message);
        }
        throw failure;
      }
    }
  }

  /** A client session for this caller's credential (the listing session when they share one). */
  async client(caller: Caller): Promise<Client> {
    return (await this.connection(caller, false)).client;
  }

  private async identity(caller: Caller): Promise<string> {
    if (!this.spec.auth || !this.deps.credentialIdentity) return 'none';
    return this.deps.credentialIdentity(this.spec.auth, caller);
  }

  private connection(caller: Caller, listing: boolean): Promise<Connection> {
    if (this.stopped) return Promise.reject(new NexusError('UNAVAILABLE', `server ${this.spec.name} is stopped`));
    if (!listing && this.state === 'down' && Date.now() < this.nextAttempt) {
      const wait = formatDuration(Math.max(0, this.nextAttempt - Date.now()));
      return Promise.reject(
        new NexusError('UPSTREAM_UNREACHABLE', `server ${this.spec.name} is down (${this.error}); next attempt in ${wait}`),
      );
    }
    return this.identity(caller).then((id) => {
      let conn = this.sessions.get(id);
      if (!conn) {
        if (this.sessions.size >= MAX_SESSIONS) this.evictOldest();
        conn = this.open(caller, id);
        this.sessions.set(id, conn);
        conn.catch(() => {
          if (this.sessions.get(id) === conn) this.sessions.delete(id);
        });
      }
      return conn;
    });
  }

  private evictOldest() {
    const [id, oldest] = this.sessions.entries().next().value as [string, Promise<Connection>];
    this.sessions.delete(id);
    void oldest.then((c) => c.client.close()).catch(() => {});
  }

  private async open(caller: Caller, id: string): Promise<Connection> {
    const auth = this.spec.auth;
    // no auth block: the same nothing for every request, without a promise per request
    const credential = (attempt: 1 | 2): Injected | Promise<Injected> => {
      if (!auth) return NOTHING_INJECTED;
      if (!this.deps.inject)
        return Promise.reject(
          new NexusError('CREDENTIAL_ERROR', `server ${this.spec.name} needs credential "${auth.credential}" but no vault is configured`),
        );
      return this.deps.inject(auth, caller, attempt);
    };
    let self: Promise<Connection> | undefined;
    const conn = connect(this.spec, this.deps, {
      credential,
      refreshable: isOAuth(this.spec),
      onListChanged: () => void this.refresh(),
      onResourceUpdated: (uri) => this.deps.resourceUpdated?.(servedUri(this.spec.resourcePrefix, uri)),
      onClientRequest: async (method, params, target, signal) => {
        if (method === 'roots/list' && this.spec.roots) return { roots: this.spec.roots.map((r) => ({ ...r })) };
        const to = target();
        if (to instanceof ProtocolError) throw to;
        // what the upstream asks reaches the client with this session's credential values masked
        const masked = dataMasker([...(await conn).secrets]).json(params) as Record<string, unknown>;
        return relay(to, method, masked, signal);
      },
      onClose: (reason) => {
        if (this.sessions.get(id) === self) this.sessions.delete(id);
        if (this.stopped) return;
        if (this.spec.transport.kind === 'stdio') {
          this.deps.log.warn('upstream process ended', { server: this.spec.name, reason });
          this.markDown(`process ${reason}`);
        }
      },
    });
    self = conn;
    void conn.then(
      (c) => {
        this.live.add(c);
        c.client.onclose = ((prev) => () => {
          this.live.delete(c);
          prev?.();
        })(c.client.onclose);
      },
      () => {},
    );
    return conn;
  }

  private async reset(conn: Connection) {
    for (const [id, c] of this.sessions) if ((await c.catch(() => undefined)) === conn) this.sessions.delete(id);
    await conn.client.close().catch(() => {});
  }

  private markReady(conn: Connection) {
    if (this.state !== 'ready') {
      this.deps.log.info('upstream ready', { server: this.spec.name, tools: this.counts.tools, via: conn.via });
      this.since = Date.now();
    }
    this.state = 'ready';
    this.error = undefined;
    this.protocol = conn.client.getNegotiatedProtocolVersion();
    this.via = conn.via;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    if (Date.now() - this.since > 60_000) this.delay = this.deps.backoff?.minMs ?? 500;
  }

  private markDown(reason: string) {
    if (this.stopped) return;
    if (this.state !== 'down') {
      this.deps.log.warn('upstream down', { server: this.spec.name, error: reason });
      this.since = Date.now();
    }
    this.state = 'down';
    this.error = reason;
    if (this.retryTimer) return;
    const wait = this.delay;
    this.delay = Math.min(this.delay * 2, this.deps.backoff?.maxMs ?? 30_000);
    this.nextAttempt = Date.now() + wait;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.restarts++;
      void this.refresh();
    }, wait);
    this.retryTimer.unref?.();
  }

  /** Process ids of this server's running children (stdio servers). */
  pids(): number[] {
    return [...this.live].flatMap((c) => (c.transport instanceof StdioTransport && c.transport.pid ? [c.transport.pid] : []));
  }

  /** Ends every session and child process of this server. */
  async close(): Promise<void> {
    this.stopped = true;
    this.state = 'stopped';
    clearTimeout(this.retryTimer);
    clearInterval(this.refreshTimer);
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    this.subscriptions.clear(); // they end upstream with their sessions
    await Promise.all(sessions.map((s) => s.then((c) => c.client.close()).catch(() => {})));
  }
}
