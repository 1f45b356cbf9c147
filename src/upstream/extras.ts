// Prompts, resources, resource templates and completion of the federated servers: prompts
// namespaced like tools (`server__prompt`); resources keep their own URIs, so that what clients show
// and the resource links in tool results stay valid without rewriting: a URI (or template) two
// servers list is served by the first in declaration order and the other is logged as left out
// (pool.ts); a read is routed by the listed URI, else by the template with the longest literal start.
// All are filtered by the caller's tool patterns on the namespaced name.
import { ProtocolError } from '@modelcontextprotocol/client';
import type { ClientChannel } from '../call/types.ts';
import type { Caller } from '../caller.ts';
import { scrub } from '../invoke/result.ts';
import { servedName } from './catalogue.ts';
import { upstreamFailure } from './failure.ts';
import type { UpstreamPool } from './pool.ts';
import type { ServerRuntime } from './runtime.ts';

type Json = Record<string, unknown>;

export interface UpstreamExtras {
  prompts(caller: Caller): Json[];
  getPrompt(
    name: string,
    args: Record<string, string> | undefined,
    caller: Caller,
    signal?: AbortSignal,
    client?: ClientChannel,
  ): Promise<Json>;
  resources(caller: Caller): Json[];
  templates(caller: Caller): Json[];
  readResource(uri: string, caller: Caller, signal?: AbortSignal, client?: ClientChannel): Promise<Json | undefined>;
  complete(params: Json, caller: Caller, signal?: AbortSignal): Promise<Json | undefined>;
  /** Hears when a server's prompts or resources change (to tell clients). */
  onChange(listener: (what: 'prompts' | 'resources') => void): () => void;
}

/** The literal start of a URI template (`file:///{path}` -> `file:///`), to route reads by. */
const templatePrefix = (t: string) => t.slice(0, t.search(/\{|$/));

export function createUpstreamExtras(
  pool: Pick<UpstreamPool, 'runtimes' | 'onExtrasChanged'>,
  canUse: (caller: Caller, name: string) => boolean,
): UpstreamExtras {
  const visible = (rt: ServerRuntime, caller: Caller, name: string) => canUse(caller, servedName(rt.spec.prefix, name));
  const run = async <T>(
    rt: ServerRuntime,
    caller: Caller,
    signal: AbortSignal | undefined,
    fn: Parameters<ServerRuntime['request']>[2],
    client?: ClientChannel,
  ) => {
    try {
      const out = (await rt.request(caller, signal, fn, client)) as T;
      const secrets = [...(await rt.secretsFor(caller))];
      return JSON.parse(scrub(JSON.stringify(out), secrets)) as T;
    } catch (e) {
      // the upstream's own JSON-RPC error keeps its code (resource not found, invalid params)
      if (e instanceof ProtocolError) throw new ProtocolError(e.code, scrub(e.message, []).slice(0, 300));
      throw upstreamFailure(rt.spec.name, e, rt.spec.backend.timeoutMs);
    }
  };
  const resourceOwner = (uri: string, caller: Caller) => {
    for (const rt of pool.runtimes()) {
      const r = rt.extras.resources.find((x) => x.uri === uri);
      if (r) return visible(rt, caller, r.name) ? rt : undefined;
    }
    // the template with the longest literal start that fits wins (the first server's on a tie)
    let best: { rt: ServerRuntime; name: string; length: number } | undefined;
    for (const rt of pool.runtimes()) {
      for (const t of rt.extras.templates) {
        const prefix = templatePrefix(t.uriTemplate);
        if (uri.startsWith(prefix) && prefix.length > (best?.length ?? -1)) best = { rt, name: t.name, length: prefix.length };
      }
    }
    return best && visible(best.rt, caller, best.name) ? best.rt : undefined;
  };
  /** Each URI once, from the first server listing it, among what the caller may see. */
  const firstListed = <T extends { name: string }>(caller: Caller, list: (rt: ServerRuntime) => T[], uri: (x: T) => string) => {
    const seen = new Set<string>();
    return pool
      .runtimes()
      .flatMap((rt) => list(rt).filter((x) => !seen.has(uri(x)) && seen.add(uri(x)) && visible(rt, caller, x.name)) as unknown as Json[]);
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
    prompts: (caller) =>
      pool
        .runtimes()
        .flatMap((rt) =>
          rt.extras.prompts.map((p) => ({ ...p, name: servedName(rt.spec.prefix, p.name) })).filter((p) => canUse(caller, p.name)),
        ),
    async getPrompt(name, args, caller, signal, client) {
      const owner = promptOwner(name, caller);
      if (!owner) throw new ProtocolError(-32602, `Unknown prompt: ${name}`);
      return run<Json>(
        owner.rt,
        caller,
        signal,
        (c, timeout) => c.getPrompt({ name: owner.upstream, ...(args && { arguments: args }) }, { timeout, ...(signal && { signal }) }),
        client,
      );
    },
    resources: (caller) =>
      firstListed(
        caller,
        (rt) => rt.extras.resources,
        (r) => r.uri,
      ),
    templates: (caller) =>
      firstListed(
        caller,
        (rt) => rt.extras.templates,
        (t) => t.uriTemplate,
      ),
    async readResource(uri, caller, signal, client) {
      const rt = resourceOwner(uri, caller);
      if (!rt) return undefined;
      return run<Json>(
        rt,
        caller,
        signal,
        (c, timeout) => c.readResource({ uri }, { timeout, cacheMode: 'bypass', ...(signal && { signal }) }),
        client,
      );
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
        rt = pool.runtimes().find((r) => r.extras.templates.some((t) => t.uriTemplate === ref.uri && visible(r, caller, t.name)));
      }
      if (!rt) return undefined;
      return run<Json>(rt, caller, signal, (c, timeout) =>
        c.complete({ ...params, ref: upstreamRef } as Parameters<typeof c.complete>[0], { timeout, ...(signal && { signal }) }),
      );
    },
  };
}
