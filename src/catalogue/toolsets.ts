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
  /** The set's tools as listed (without output schemas when the set says so). */
  readonly tools: readonly ToolSpec[];
  /** The listed form of one of the set's tools. */
  listed(tool: ToolSpec): ToolSpec;
  has(tool: string): boolean;
}

/** Caller patterns of the form `@set` stand for "every tool of that set" (keys and access rules). */
export const SET_PATTERN_PREFIX = '@';

export function resolveToolset(spec: ToolsetSpec, tools: readonly ToolSpec[]): ToolsetView {
  const inc = matcher(spec.decl.include);
  const exc = spec.decl.exclude?.length ? matcher(spec.decl.exclude) : () => false;
  const listed = listedForm(spec.decl.output_schemas === false, spec.decl.max_description_chars);
  const members = tools.filter((t) => inc(t.name) && !exc(t.name)).map(listed);
  const names = new Set(members.map((t) => t.name));
  return {
    name: spec.decl.name,
    ...(spec.decl.description !== undefined && { description: spec.decl.description }),
    ...(spec.decl.instructions !== undefined && { instructions: spec.decl.instructions }),
    discovery: spec.decl.discovery ?? false,
    tools: members,
    listed,
    has: (tool) => names.has(tool),
  };
}

/** Cuts text to at most max characters, at the last sentence end in its second half if there is one. */
export function shortDescription(text: string, max: number): string {
  if (text.length <= max) return text;
  const head = text.slice(0, max - 1);
  const end = Math.max(head.lastIndexOf('. '), head.lastIndexOf('.\n'));
  return end > max / 2 ? head.slice(0, end + 1) : `${head.trimEnd()}…`;
}

/** The schema with every `description` in it cut the same way (arguments' descriptions included). */
function shortDescriptions(schema: unknown, max: number): unknown {
  if (Array.isArray(schema)) return schema.map((x) => shortDescriptions(x, max));
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema))
    out[k] = k === 'description' && typeof v === 'string' ? shortDescription(v, max) : shortDescriptions(v, max);
  return out;
}

/** How a set lists its tools: the same specs, or memoised lighter copies (calls still use the full one). */
function listedForm(dropOutput: boolean, maxDescription: number | undefined): (t: ToolSpec) => ToolSpec {
  if (!dropOutput && maxDescription === undefined) return (t) => t;
  const copies = new WeakMap<ToolSpec, ToolSpec>();
  return (t) => {
    let c = copies.get(t);
    if (!c) {
      const { outputSchema: _o, ...rest } = t;
      c = {
        ...(dropOutput ? rest : t),
        // the raw answer is still checked against the declared schema; only the listing leaves it out
        ...(dropOutput && t.outputSchema && { answerSchema: t.answerSchema ?? t.outputSchema }),
        ...(maxDescription !== undefined && {
          description: shortDescription(t.description, maxDescription),
          inputSchema: shortDescriptions(t.inputSchema, maxDescription) as ToolSpec['inputSchema'],
        }),
      } as ToolSpec;
      copies.set(t, c);
    }
    return c;
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
