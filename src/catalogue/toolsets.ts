// Tool sets (virtual servers): named subsets of the catalogue by include/exclude globs, each served on
// its own endpoint. Resolved once per catalogue generation.
import type { ToolsetDecl } from '../registry/schema.ts';
import type { ToolSpec } from '../registry/spec.ts';
import { matcher } from '../util/glob.ts';

export interface ToolsetSpec {
  readonly decl: ToolsetDecl;
  readonly source: { readonly file: string; readonly line: number };
}

export interface ToolsetView {
  readonly name: string;
  readonly description?: string;
  readonly instructions?: string;
  readonly discovery: boolean;
  readonly tools: readonly ToolSpec[];
  has(tool: string): boolean;
}

/** Caller patterns of the form `@set` stand for "every tool of that set" (keys and access rules). */
export const SET_PATTERN_PREFIX = '@';

export function resolveToolset(spec: ToolsetSpec, tools: readonly ToolSpec[]): ToolsetView {
  const inc = matcher(spec.decl.include);
  const exc = spec.decl.exclude?.length ? matcher(spec.decl.exclude) : () => false;
  const members = tools.filter((t) => inc(t.name) && !exc(t.name));
  const names = new Set(members.map((t) => t.name));
  return {
    name: spec.decl.name,
    ...(spec.decl.description !== undefined && { description: spec.decl.description }),
    ...(spec.decl.instructions !== undefined && { instructions: spec.decl.instructions }),
    discovery: spec.decl.discovery ?? false,
    tools: members,
    has: (tool) => names.has(tool),
  };
}

export function resolveToolsets(specs: readonly ToolsetSpec[], tools: readonly ToolSpec[]): ReadonlyMap<string, ToolsetView> {
  return new Map(specs.map((s) => [s.decl.name, resolveToolset(s, tools)]));
}

/** Duplicate set names across files, each naming both places. */
export function toolsetProblems(specs: readonly ToolsetSpec[]): { spec: ToolsetSpec; message: string }[] {
  const seen = new Map<string, ToolsetSpec>();
  const out: { spec: ToolsetSpec; message: string }[] = [];
  for (const s of specs) {
    const first = seen.get(s.decl.name);
    if (first) out.push({ spec: s, message: `tool set "${s.decl.name}" is already declared at ${first.source.file}:${first.source.line}` });
    else seen.set(s.decl.name, s);
  }
  return out;
}
