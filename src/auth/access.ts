// Whether a caller may use a tool: its `tools` patterns (`*` wildcards) against the tool name, where a
// pattern `@set` stands for every tool of that tool set (keys and access rules confined to sets).
// Hot path: the compiled matcher is kept per patterns array (callers share interned arrays).

import type { Caller } from '../caller.ts';
import { SET_PATTERN_PREFIX, type ToolsetView } from '../catalogue/toolsets.ts';
import { matcher } from '../util/glob.ts';

type Check = (name: string, sets: ReadonlyMap<string, ToolsetView> | undefined) => boolean;
const byArray = new WeakMap<readonly string[], Check>();
const NOTHING: Check = () => false;

function compile(patterns: readonly string[]): Check {
  if (!patterns.length) return NOTHING;
  const sets = patterns.filter((p) => p.startsWith(SET_PATTERN_PREFIX)).map((p) => p.slice(SET_PATTERN_PREFIX.length));
  const globs = patterns.filter((p) => !p.startsWith(SET_PATTERN_PREFIX));
  const m = globs.length ? matcher(globs) : () => false;
  if (!sets.length) return (name) => m(name);
  return (name, views) => m(name) || sets.some((s) => views?.get(s)?.has(name) === true);
}

export function canUse(caller: Caller, toolName: string, toolsets?: ReadonlyMap<string, ToolsetView>): boolean {
  let check = byArray.get(caller.tools);
  if (!check) byArray.set(caller.tools, (check = compile(caller.tools)));
  return check(toolName, toolsets);
}
