// Per-tool overrides: edits to tools Nexus did not author (imported OpenAPI, federated upstreams) kept
// apart from their definitions, so that a re-import or an upstream change keeps them. Applied to the
// whole merged catalogue, after every source is loaded.
import { checkArguments } from '../registry/arguments.ts';
import type { OverrideDecl } from '../registry/schema.ts';
import type { JsonObject, ToolSpec } from '../registry/spec.ts';
import { withProjection } from './shape.ts';

export interface OverrideSpec {
  readonly decl: OverrideDecl;
  readonly source: { readonly file: string; readonly line: number };
}

export interface OverrideProblem {
  readonly override: OverrideSpec;
  readonly message: string;
}

/** One override applied to one tool; problems name what is wrong (an unknown argument, a bad value). */
export function applyOverride(tool: ToolSpec, o: OverrideSpec): { tool: ToolSpec; problems: string[] } {
  const d = o.decl;
  const problems: string[] = [];
  const props = { ...((tool.inputSchema.properties as Record<string, JsonObject> | undefined) ?? {}) };
  let required = [...((tool.inputSchema.required as string[] | undefined) ?? [])];
  const fixed: Record<string, unknown> = { ...tool.fixedArguments };
  const defaults: Record<string, unknown> = { ...tool.argumentDefaults };
  for (const [arg, a] of Object.entries(d.arguments ?? {})) {
    const schema = props[arg];
    if (!schema) {
      problems.push(`arguments.${arg}: tool ${tool.name} has no argument "${arg}"`);
      continue;
    }
    const given = a.value !== undefined ? a.value : a.default;
    if (given !== undefined) {
      try {
        checkArguments(tool.name, { type: 'object', properties: { [arg]: schema } }, { [arg]: given });
      } catch (e) {
        problems.push(`arguments.${arg}: ${(e as Error).message.replace(/^invalid arguments for tool [^:]+: /, '')}`);
        continue;
      }
    }
    if (a.value !== undefined || a.hide) {
      delete props[arg];
      required = required.filter((r) => r !== arg);
      if (a.value !== undefined) fixed[arg] = a.value;
    } else {
      props[arg] = { ...schema, default: a.default };
      required = required.filter((r) => r !== arg);
      defaults[arg] = a.default;
    }
  }
  const hiddenRequired = Object.entries(d.arguments ?? {}).filter(
    ([arg, a]) => a.hide && a.value === undefined && ((tool.inputSchema.required as string[] | undefined) ?? []).includes(arg),
  );
  for (const [arg] of hiddenRequired) problems.push(`arguments.${arg}: is required by ${tool.name}; hide it only with a value`);

  let out: ToolSpec = {
    ...tool,
    ...(d.name !== undefined && d.name !== tool.name && { name: d.name, originalName: tool.originalName ?? tool.name }),
    ...(d.title !== undefined && { title: d.title }),
    ...(d.description !== undefined && { description: d.description.trim() }),
    ...(d.annotations && { annotations: { ...tool.annotations, ...d.annotations } }),
    ...(d.arguments && {
      // hidden arguments stay hidden: a model that sends one anyway is told it is not allowed
      inputSchema: {
        ...tool.inputSchema,
        properties: props,
        ...(required.length ? { required } : {}),
        additionalProperties: tool.inputSchema.additionalProperties === true,
      },
      hiddenArguments: Object.entries(d.arguments)
        .filter(([, a]) => a.hide || a.value !== undefined)
        .map(([k]) => k),
      ...(Object.keys(fixed).length && { fixedArguments: fixed }),
      ...(Object.keys(defaults).length && { argumentDefaults: defaults }),
    }),
  };
  if (d.arguments && !required.length) {
    const { required: _r, ...schema } = out.inputSchema;
    out = { ...out, inputSchema: schema };
  }
  if (d.response) {
    try {
      out = withProjection(out, d.response);
    } catch (e) {
      problems.push(`response.select: ${(e as Error).message}`);
    }
  }
  return { tool: out, problems };
}

/**
 * Applies every override whose `tool` names a tool in the list. Overrides naming no tool are returned
 * as unmatched (a federated tool may not be listed yet); a renamed tool may not collide with another.
 */
export function applyOverrides(
  tools: readonly ToolSpec[],
  overrides: readonly OverrideSpec[],
): { tools: ToolSpec[]; problems: OverrideProblem[]; unmatched: OverrideSpec[] } {
  if (!overrides.length) return { tools: [...tools], problems: [], unmatched: [] };
  const byTool = new Map<string, OverrideSpec>();
  const problems: OverrideProblem[] = [];
  for (const o of overrides) {
    const first = byTool.get(o.decl.tool);
    if (first)
      problems.push({ override: o, message: `tool ${o.decl.tool} is already overridden at ${first.source.file}:${first.source.line}` });
    else byTool.set(o.decl.tool, o);
  }
  const seen = new Set<string>();
  const out: ToolSpec[] = [];
  for (const t of tools) {
    const o = byTool.get(t.name);
    if (!o) {
      out.push(t);
      continue;
    }
    seen.add(t.name);
    if (o.decl.hide) continue;
    const r = applyOverride(t, o);
    for (const message of r.problems) problems.push({ override: o, message });
    out.push(r.problems.length ? t : r.tool);
  }
  const names = new Map<string, ToolSpec>();
  for (const t of out) {
    const other = names.get(t.name);
    if (other) {
      const o = byTool.get(t.originalName ?? '') ?? byTool.get(other.originalName ?? '');
      if (o) problems.push({ override: o, message: `the new name ${t.name} is already the name of another tool` });
    } else names.set(t.name, t);
  }
  const unmatched = [...byTool.values()].filter((o) => !seen.has(o.decl.tool));
  return { tools: [...names.values()], problems, unmatched };
}

/** Arguments as the backend gets them: defaults for what the model left out, fixed values always. */
export function completeArguments(tool: ToolSpec, args: Record<string, unknown>): Record<string, unknown> {
  if (!tool.fixedArguments && !tool.argumentDefaults && !tool.hiddenArguments) return args;
  const out: Record<string, unknown> = { ...args };
  for (const k of tool.hiddenArguments ?? []) delete out[k];
  for (const [k, v] of Object.entries(tool.argumentDefaults ?? {})) if (out[k] === undefined) out[k] = v;
  return Object.assign(out, tool.fixedArguments);
}
