// Prompts, resources, resource templates and completion of the federated servers: prompts
// namespaced like tools (`server__prompt`); resources keep their own URIs unless the server entry
// sets `resource_prefix` (then `<prefix>+<uri>`, resource-uri.ts), so what clients show and the
// resource links in tool results stay valid: a URI (or template) two servers serve alike is served
// by the first in declaration order and the other is logged as left out (pool.ts); a read is routed
// by the listed URI, else by the template with the longest literal start.
// All are filtered by the caller's tool patterns on the namespaced name.
// Nothing here loads the MCP client: a gateway without `servers:` has no runtime to ask.
import type { ClientChannel } from '../call/types.ts';
import type { Caller } from '../caller.ts';
import { NexusError } from '../errors.ts';
import { servedName } from './catalogue.ts';
import type { UpstreamPool } from './pool.ts';
import { servedPrompt, servedRead, servedUri, upstreamUri } from './resource-uri.ts';
import type { ServerRuntime } from './runtime.ts';

type Json = Record<string, unknown>;

export interface UpstreamExtras {
  prompts(caller: Caller): Json[];
  /** The prompt, or undefined when no server offers one of that name to this caller. */
  getPrompt(
    name: string,
    args: Record<string, string> | undefined,
    caller: Caller,
    signal?: AbortSignal,
    client?: ClientChannel,
  ): Promise<Json | undefined>;
  resources(caller: Caller): Json[];
  templates(caller: Caller): Json[];
  readResource(uri: string, caller: Caller, signal?: AbortSignal, client?: ClientChannel): Promise<Json | undefined>;
  complete(params: Json, caller: Caller, signal?: AbortSignal): Promise<Json | undefined>;
  /** Hears when a server's prompts or resources change (to tell clients). */
  onChange(listener: (what: 'prompts' | 'resources') => void): () => void;
  /** Whether any server offers resource subscriptions (Nexus then advertises `resources.subscribe`). */
  subscribable(): boolean;
  /**
   * Subscribes the caller to a served URI at its server (shared with the other subscribers there);
   * resolves to its release. Throws a ProtocolError when the caller may not read the URI or its
   * server offers no subscriptions.
   */
  subscribe(uri: string, caller: Caller): Promise<() => void>;
  /** Throws what subscribe would for a URI the caller may not subscribe to (nothing is opened). */
  checkSubscribe(uri: string, caller: Caller): void;
  /** Hears notifications/resources/updated of subscribed resources (served URIs). */
  onUpdated(listener: (uri: string) => void): () => void;
  /** Upstream subscriptions held on this instance. */
  subscriptionCount(): number;
}

/** The literal start of a URI template (`file:///{path}` -> `file:///`), to route reads by. */
const templatePrefix = (t: string) => t.slice(0, t.search(/\{|$/));

export function createUpstreamExtras(
  pool: Pick<UpstreamPool, 'runtimes' | 'onExtrasChanged' | 'onResourceUpdated'>,
  canUse: (caller: Caller, name: string) => boolean,
): UpstreamExtras {
  const visible = (rt: ServerRuntime, caller: Caller, name: string) => canUse(caller, servedName(rt.spec.prefix, name));
  /** The server answering a read of the served `uri`, and the URI as that server knows it. */
  const resourceOwner = (uri: string, caller: Caller) => {
    for (const rt of pool.runtimes()) {
      const own = upstreamUri(rt.spec.resourcePrefix, uri);
      const r = own === undefined ? undefined : rt.extras.resources.find((x) => x.uri === own);
      if (r) return visible(rt, caller, r.name) ? { rt, upstream: r.uri } : undefined;
    }
    // the template with the longest literal start that fits wins (the first server's on a tie)
    let best: { rt: ServerRuntime; name: string; length: number } | undefined;
    for (const rt of pool.runtimes()) {
      for (const t of rt.extras.templates) {
        const prefix = templatePrefix(servedUri(rt.spec.resourcePrefix, t.uriTemplate));
        if (uri.startsWith(prefix) && prefix.length > (best?.length ?? -1)) best = { rt, name: t.name, length: prefix.length };
      }
    }
    if (!best || !visible(best.rt, caller, best.name)) return undefined;
    return { rt: best.rt, upstream: upstreamUri(best.rt.spec.resourcePrefix, uri)! };
  };
  /** Each served URI once, from the first server listing it, among what the caller may see. */
  const firstListed = <K extends 'uri' | 'uriTemplate'>(
    caller: Caller,
    list: (rt: ServerRuntime) => Array<{ name: string } & Record<K, string>>,
    key: K,
  ) => {
    const seen = new Set<string>();
    return pool.runtimes().flatMap((rt) =>
      list(rt)
        .map((x) => ({ ...x, [key]: servedUri(rt.spec.resourcePrefix, x[key]) }))
        .filter((x) => !seen.has(x[key]) && seen.add(x[key]) && visible(rt, caller, x.name)),
    ) as unknown as Json[];
  };
  // the same owner and access rule as a read: a URI the caller may not read is one that does not exist
  const subscriptionOwner = (uri: string, caller: Caller) => {
    const owner = resourceOwner(uri, caller);
    if (!owner) throw new NexusError('NOT_FOUND', `Resource not found: ${uri}`);
    if (!owner.rt.subscribable) throw new NexusError('INVALID_INPUT', `server ${owner.rt.spec.name} offers no resource subscriptions`);
    return owner;
  };
  const promptOwner = (name: string, caller: Caller) => {
    for (const rt of pool.runtimes()) {
      const p = rt.extras.prompts.find((x) => servedName(rt.spec.prefix, x.name) === name);
      if (p) return canUse(caller, name) ? { rt, upstream: p.name } : undefined;
    }
    return undefined;
  };
  return {
    onChange: (listener) => pool.onExtrasChanged(listener),
    onUpdated: (listener) => pool.onResourceUpdated(listener),
    subscribable: () => pool.runtimes().some((rt) => rt.subscribable),
    subscriptionCount: () => pool.runtimes().reduce((n, rt) => n + rt.subscriptionCount, 0),
    checkSubscribe: (uri, caller) => void subscriptionOwner(uri, caller),
    async subscribe(uri, caller) {
      const owner = subscriptionOwner(uri, caller);
      return owner.rt.subscribe(caller, owner.upstream);
    },
    prompts: (caller) =>
      pool
        .runtimes()
        .flatMap((rt) =>
          rt.extras.prompts.map((p) => ({ ...p, name: servedName(rt.spec.prefix, p.name) })).filter((p) => canUse(caller, p.name)),
        ),
    async getPrompt(name, args, caller, signal, client) {
      const owner = promptOwner(name, caller);
      if (!owner) return undefined;
      const out = await owner.rt.ask<Json>(
        caller,
        signal,
        (c, timeout) => c.getPrompt({ name: owner.upstream, ...(args && { arguments: args }) }, { timeout, ...(signal && { signal }) }),
        client,
      );
      return servedPrompt(owner.rt.spec.resourcePrefix, out);
    },
    resources: (caller) => firstListed(caller, (rt) => rt.extras.resources, 'uri'),
    templates: (caller) => firstListed(caller, (rt) => rt.extras.templates, 'uriTemplate'),
    async readResource(uri, caller, signal, client) {
      const owner = resourceOwner(uri, caller);
      if (!owner) return undefined;
      const out = await owner.rt.ask<Json>(
        caller,
        signal,
        (c, timeout) => c.readResource({ uri: owner.upstream }, { timeout, cacheMode: 'bypass', ...(signal && { signal }) }),
        client,
      );
      return servedRead(owner.rt.spec.resourcePrefix, out);
    },
    async complete(params, caller, signal) {
      const ref = params.ref as { type?: string; name?: string; uri?: string } | undefined;
      let rt: ServerRuntime | undefined;
      let upstreamRef = ref;
      if (ref?.type === 'ref/prompt' && ref.name) {
        const owner = promptOwner(ref.name, caller);
        rt = owner?.rt;
        upstreamRef = owner && { ...ref, name: owner.upstream };
      } else if (ref?.type === 'ref/resource' && ref.uri) {
        rt = pool.runtimes().find((r) => {
          const own = upstreamUri(r.spec.resourcePrefix, ref.uri!);
          return r.extras.templates.some((t) => t.uriTemplate === own && visible(r, caller, t.name));
        });
        upstreamRef = rt && { ...ref, uri: upstreamUri(rt.spec.resourcePrefix, ref.uri) };
      }
      if (!rt) return undefined;
      return rt.ask<Json>(caller, signal, (c, timeout) =>
        c.complete({ ...params, ref: upstreamRef } as Parameters<typeof c.complete>[0], { timeout, ...(signal && { signal }) }),
      );
    },
  };
}
