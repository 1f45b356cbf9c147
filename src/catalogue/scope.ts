// A tool set's view of the call pipeline: the same pipeline, narrowed to the set's tools. A tool outside
// the set is refused exactly like an unknown one (and audited as denied), so a set's endpoint reveals
// nothing beyond it.
import type { CallPipeline } from '../call/pipeline.ts';
import type { Registry } from '../registry/registry.ts';
import type { ToolSpec } from '../registry/spec.ts';
import { discoveryPipeline } from './discovery.ts';
import type { ToolsetView } from './toolsets.ts';

export function scopedPipeline(inner: CallPipeline, view: () => ToolsetView | undefined): CallPipeline {
  const cache = new WeakMap<readonly ToolSpec[], { set: ToolsetView; list: readonly ToolSpec[] }>();
  const within = (name: string) => view()?.has(name) ?? false;
  return {
    visibleTools(caller) {
      const v = view();
      if (!v) return [];
      const all = inner.visibleTools(caller);
      let hit = cache.get(all);
      if (!hit || hit.set !== v) cache.set(all, (hit = { set: v, list: all.filter((t) => v.has(t.name)).map(v.listed) }));
      return hit.list;
    },
    call: (name, args, caller, ctx) => inner.call(name, args, caller, { ...ctx, within }),
  };
}

/** A pipeline that serves discovery or the plain set, whichever the set says in the current generation. */
export function toolsetPipeline(inner: CallPipeline, registry: Registry, name: string): CallPipeline {
  const current = () => registry.current().toolsets.get(name);
  const scoped = scopedPipeline(inner, current);
  const discovering = discoveryPipeline(scoped);
  const pick = () => (current()?.discovery ? discovering : scoped);
  return {
    visibleTools: (caller) => pick().visibleTools(caller),
    call: (tool, args, caller, ctx) => pick().call(tool, args, caller, ctx),
  };
}
