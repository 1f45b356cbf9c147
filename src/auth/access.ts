// Whether a caller may use a tool: its `tools` patterns (`*` wildcards) against the tool name.
// Hot path: the compiled matcher is kept per patterns array (callers share interned arrays).
import type { Caller } from '../caller.ts';
import { matcher } from '../util/glob.ts';

const byArray = new WeakMap<readonly string[], (name: string) => boolean>();
const NOTHING = () => false;

export function canUse(caller: Caller, toolName: string): boolean {
  let m = byArray.get(caller.tools);
  if (!m) byArray.set(caller.tools, (m = caller.tools.length ? matcher(caller.tools) : NOTHING));
  return m(toolName);
}
