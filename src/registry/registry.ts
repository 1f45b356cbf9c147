// The live tool set, merged from several sources (the tool files, each federated server) and swapped
// atomically: readers always see one whole generation.
import { assembleCatalogue, type CatalogueDecl, EMPTY_CATALOGUE } from '../catalogue/catalogue.ts';
import type { ToolsetView } from '../catalogue/toolsets.ts';
import type { ToolSpec } from './spec.ts';

export interface ToolSet {
  readonly generation: number;
  /** The served tools: every source's, with the overrides applied. */
  readonly tools: readonly ToolSpec[];
  readonly byName: ReadonlyMap<string, ToolSpec>;
  /** The tool sets, resolved over the served tools. */
  readonly toolsets: ReadonlyMap<string, ToolsetView>;
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
  /** Replaces the tool files' tools (and their tool sets and overrides, when given); listeners hear after the swap. */
  replace(tools: readonly ToolSpec[], catalogue?: CatalogueDecl): ToolSet;
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

export function createRegistry(initial: readonly ToolSpec[] = [], initialCatalogue: CatalogueDecl = EMPTY_CATALOGUE): Registry {
  const listeners = new Set<(set: ToolSet) => void>();
  let catalogue = initialCatalogue;
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
    // overrides apply over every source (a federated tool can be renamed too), then the sets resolve
    const { tools, toolsets } = assembleCatalogue([...byName.values()], catalogue);
    const set = Object.freeze({
      generation,
      tools: Object.freeze(tools),
      byName: new Map(tools.map((t) => [t.name, t])),
      toolsets,
      loadedAt: Date.now(),
    });
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
    replace: (tools, next) => {
      if (next) catalogue = next;
      return swap({ [FILES_SOURCE]: tools }).set;
    },
    replaceSources: swap,
    source: (name) => sources.get(name),
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
