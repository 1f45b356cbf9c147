// The live tool set, merged from several sources (the tool files, each federated server) and swapped
// atomically: readers always see one whole generation.
import type { ToolSpec } from './spec.ts';

export interface ToolSet {
  readonly generation: number;
  readonly tools: readonly ToolSpec[];
  readonly byName: ReadonlyMap<string, ToolSpec>;
  readonly loadedAt: number;
}

/** A tool a source offered whose name another source already serves; it is left out of the set. */
export interface Collision {
  readonly tool: ToolSpec;
  readonly kept: ToolSpec;
}

/** The source of the tool files; upstream sources are named `server:<name>`. */
export const FILES_SOURCE = 'files';

export interface Registry {
  current(): ToolSet;
  get(name: string): ToolSpec | undefined;
  /** Replaces the tool files' tools; listeners hear about it after the swap. */
  replace(tools: readonly ToolSpec[]): ToolSet;
  /**
   * Replaces some sources at once (a source set to undefined is removed) in one swap. Sources merge in
   * order: files first, then the others in the order they were first added; a later duplicate name
   * is left out and reported.
   */
  replaceSources(changes: Readonly<Record<string, readonly ToolSpec[] | undefined>>): { set: ToolSet; collisions: Collision[] };
  /** The tools one source currently offers. */
  source(name: string): readonly ToolSpec[] | undefined;
  onChange(listener: (set: ToolSet) => void): () => void;
}

export function createRegistry(initial: readonly ToolSpec[] = []): Registry {
  const listeners = new Set<(set: ToolSet) => void>();
  const sources = new Map<string, readonly ToolSpec[]>([[FILES_SOURCE, Object.freeze([...initial])]]);
  const merge = (generation: number): { set: ToolSet; collisions: Collision[] } => {
    const byName = new Map<string, ToolSpec>();
    const collisions: Collision[] = [];
    for (const tools of sources.values()) {
      for (const t of tools) {
        const kept = byName.get(t.name);
        if (kept) collisions.push({ tool: t, kept });
        else byName.set(t.name, t);
      }
    }
    const set = Object.freeze({ generation, tools: Object.freeze([...byName.values()]), byName, loadedAt: Date.now() });
    return { set, collisions };
  };
  let set = merge(1).set;
  const swap = (changes: Readonly<Record<string, readonly ToolSpec[] | undefined>>) => {
    for (const [name, tools] of Object.entries(changes)) {
      if (tools === undefined) {
        if (name !== FILES_SOURCE) sources.delete(name);
      } else sources.set(name, Object.freeze([...tools]));
    }
    const merged = merge(set.generation + 1);
    set = merged.set;
    for (const l of listeners) l(set);
    return merged;
  };
  return {
    current: () => set,
    get: (name) => set.byName.get(name),
    replace: (tools) => swap({ [FILES_SOURCE]: tools }).set,
    replaceSources: swap,
    source: (name) => sources.get(name),
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
