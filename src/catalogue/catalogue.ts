// The catalogue as clients see it: every source's tools with overrides applied, and the tool sets
// resolved over the result. Built on every registry swap, so a reload or an upstream change re-applies
// the operator's edits.
import type { ToolSpec } from '../registry/spec.ts';
import { applyOverrides, type OverrideProblem, type OverrideSpec } from './overrides.ts';
import { resolveToolsets, type ToolsetSpec, type ToolsetView } from './toolsets.ts';

/** What tool files declare besides tools. */
export interface CatalogueDecl {
  readonly toolsets: readonly ToolsetSpec[];
  readonly overrides: readonly OverrideSpec[];
}

export const EMPTY_CATALOGUE: CatalogueDecl = Object.freeze({ toolsets: [], overrides: [] });

export interface Assembled {
  readonly tools: readonly ToolSpec[];
  readonly toolsets: ReadonlyMap<string, ToolsetView>;
  readonly problems: readonly OverrideProblem[];
  readonly unmatched: readonly OverrideSpec[];
}

export function assembleCatalogue(tools: readonly ToolSpec[], decl: CatalogueDecl): Assembled {
  const o = applyOverrides(tools, decl.overrides);
  return { tools: o.tools, toolsets: resolveToolsets(decl.toolsets, o.tools), problems: o.problems, unmatched: o.unmatched };
}

/** Federated tools are namespaced `server__tool`; an override for one may wait for its upstream. */
export const mayBeFederated = (name: string) => name.includes('__');
