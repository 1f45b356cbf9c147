// The live tool set: swapped atomically on reload; readers always see one whole generation.
import type { ToolSpec } from './spec.ts';

export interface ToolSet {
  readonly generation: number;
  readonly tools: readonly ToolSpec[];
  readonly byName: ReadonlyMap<string, ToolSpec>;
  readonly loadedAt: number;
}

export interface Registry {
  current(): ToolSet;
  get(name: string): ToolSpec | undefined;
  /** Replaces the whole set; listeners hear about it after the swap. */
  replace(tools: readonly ToolSpec[]): ToolSet;
  onChange(listener: (set: ToolSet) => void): () => void;
}

export function createRegistry(initial: readonly ToolSpec[] = []): Registry {
  const listeners = new Set<(set: ToolSet) => void>();
  const make = (tools: readonly ToolSpec[], generation: number): ToolSet =>
    Object.freeze({ generation, tools: Object.freeze([...tools]), byName: new Map(tools.map((t) => [t.name, t])), loadedAt: Date.now() });
  let set = make(initial, 1);
  return {
    current: () => set,
    get: (name) => set.byName.get(name),
    replace(tools) {
      set = make(tools, set.generation + 1);
      for (const l of listeners) l(set);
      return set;
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
