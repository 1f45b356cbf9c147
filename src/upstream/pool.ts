// The one owner of every upstream client and child process: started from the tool files' `servers:`,
// changed in place on reload (an unchanged server keeps its sessions), closed on shutdown.

import type { InvokeContext } from '../call/types.ts';
import type { Caller } from '../caller.ts';
import { NexusError } from '../errors.ts';
import type { ToolResult } from '../invoke/result.ts';
import type { Registry } from '../registry/registry.ts';
import type { McpToolSpec, ServerSpec } from '../registry/spec.ts';
import { servedContent, servedUri } from './resource-uri.ts';
import type { RuntimeDeps, ServerRuntime, ServerStatus } from './runtime.ts';

export interface UpstreamPool {
  /** Starts, restarts (when changed) and stops servers to match the tool files. */
  apply(servers: readonly ServerSpec[]): void;
  call(tool: McpToolSpec, args: Record<string, unknown>, caller: Caller, ctx: InvokeContext): Promise<ToolResult>;
  runtime(name: string): ServerRuntime | undefined;
  /** Every server's runtime, in declaration order. */
  runtimes(): ServerRuntime[];
  status(): ServerStatus[];
  /** Process ids of every running stdio child. */
  pids(): number[];
  /** Hears when any server's prompts or resources change. */
  onExtrasChanged(listener: (what: 'prompts' | 'resources') => void): () => void;
  /** Hears each notifications/resources/updated of a subscribed resource (the URI as served). */
  onResourceUpdated(listener: (uri: string) => void): () => void;
  /** Resolves once every server has answered or failed its first listing. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

export type PoolDeps = Omit<RuntimeDeps, 'publish'> & { readonly registry: Registry };

export const sourceOf = (server: string) => `server:${server}`;

/** What makes two entries the same server (a change to anything else restarts it). */
const fingerprint = (s: ServerSpec) => JSON.stringify({ ...s, source: undefined });

// The runtime (and with it the MCP client SDK, ~4 MB resident) loads with the first server: a gateway
// whose tool files declare no `servers:` never holds it.
let runtimeClass: typeof ServerRuntime | undefined;
const Runtime = () => (runtimeClass ??= (require('./runtime.ts') as typeof import('./runtime.ts')).ServerRuntime);

export function createUpstreamPool(deps: PoolDeps): UpstreamPool {
  const servers = new Map<string, { runtime: ServerRuntime; print: string }>();
  const publish = (server: ServerSpec, tools: McpToolSpec[]) => {
    if (servers.get(server.name)?.runtime.spec !== server) return; // a reload replaced it meanwhile
    const { collisions } = deps.registry.replaceSources({ [sourceOf(server.name)]: tools });
    for (const c of collisions) {
      if (c.tool.kind !== 'mcp' || c.tool.upstream.server !== server.name) continue;
      deps.log.error('upstream tool left out: its name is already served', {
        tool: c.tool.name,
        server: `${server.source.file}:${server.source.line}`,
        declared: `${c.kept.source.file}:${c.kept.source.line}`,
      });
    }
    reportResourceCollisions();
  };
  // A resource URI or template two servers serve alike is served by the first in declaration order;
  // each such pair is logged once, naming both entries, so the operator can set resource_prefix
  const reported = new Set<string>();
  const reportResourceCollisions = () => {
    const owner = new Map<string, ServerSpec>();
    for (const { runtime } of servers.values()) {
      const { resources, templates } = runtime.extras;
      const served = (uri: string) => servedUri(runtime.spec.resourcePrefix, uri);
      const keys = [...resources.map((r) => `resource ${served(r.uri)}`), ...templates.map((t) => `template ${served(t.uriTemplate)}`)];
      for (const key of new Set(keys)) {
        const first = owner.get(key);
        if (!first) {
          owner.set(key, runtime.spec);
          continue;
        }
        const id = `${key}\n${first.name}\n${runtime.spec.name}`;
        if (reported.has(id)) continue;
        reported.add(id);
        deps.log.error('upstream resource left out: another server lists the same URI (set resource_prefix on one)', {
          [key.startsWith('resource') ? 'uri' : 'uriTemplate']: key.slice(key.indexOf(' ') + 1),
          server: `${runtime.spec.name} (${runtime.spec.source.file}:${runtime.spec.source.line})`,
          servedBy: `${first.name} (${first.source.file}:${first.source.line})`,
        });
      }
    }
  };
  const extrasListeners = new Set<(what: 'prompts' | 'resources') => void>();
  const updateListeners = new Set<(uri: string) => void>();
  const runtimeDeps: RuntimeDeps = {
    ...deps,
    publish,
    extrasChanged: (what) => {
      for (const l of extrasListeners) l(what);
    },
    resourceUpdated: (uri) => {
      for (const l of updateListeners) l(uri);
    },
  };

  return {
    apply(next) {
      const wanted = new Map(next.map((s) => [s.name, s]));
      const removed: Record<string, undefined> = {};
      let subscribed = false;
      for (const [name, { runtime, print }] of servers) {
        const spec = wanted.get(name);
        if (spec && fingerprint(spec) === print) continue;
        servers.delete(name);
        subscribed ||= runtime.subscriptionCount > 0;
        void runtime.close();
        removed[sourceOf(name)] = undefined;
      }
      if (Object.keys(removed).length) deps.registry.replaceSources(removed);
      // the subscriptions held there ended with its sessions: subscribers are told to look again
      if (subscribed) runtimeDeps.extrasChanged?.('resources');
      for (const spec of next) {
        if (servers.has(spec.name)) continue;
        const runtime = new (Runtime())(spec, runtimeDeps);
        servers.set(spec.name, { runtime, print: fingerprint(spec) });
        runtime.start();
      }
    },
    call(tool, args, caller, ctx) {
      const s = servers.get(tool.upstream.server);
      if (!s) return Promise.reject(new NexusError('UNAVAILABLE', `server ${tool.upstream.server} is not configured`));
      const prefix = s.runtime.spec.resourcePrefix;
      const result = s.runtime.call(tool.upstream.tool, args, caller, ctx);
      return prefix === undefined ? result : result.then((r) => servedContent(prefix, r));
    },
    runtime: (name) => servers.get(name)?.runtime,
    onExtrasChanged(listener) {
      extrasListeners.add(listener);
      return () => extrasListeners.delete(listener);
    },
    onResourceUpdated(listener) {
      updateListeners.add(listener);
      return () => updateListeners.delete(listener);
    },
    runtimes: () => [...servers.values()].map((s) => s.runtime),
    status: () => [...servers.values()].map((s) => s.runtime.status()),
    pids: () => [...servers.values()].flatMap((s) => s.runtime.pids()),
    settled: async () => {
      await Promise.all([...servers.values()].map((s) => s.runtime.firstListing));
    },
    async close() {
      const all = [...servers.values()];
      servers.clear();
      await Promise.all(all.map((s) => s.runtime.close()));
    },
  };
}
