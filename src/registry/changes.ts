// What a reload changed: tools added, changed (different definition) or removed, each with the
// SHA-256 of its old and new definition (canonical JSON of the normalised spec, without its file
// position), for the audit trail.
import { canonicalJson } from '../util/canonical-json.ts';
import { sha256Hex } from '../util/digest.ts';
import type { ToolSet } from './registry.ts';
import type { ToolSpec } from './spec.ts';

export interface ToolChange {
  readonly tool: string;
  readonly change: 'added' | 'changed' | 'removed';
  readonly oldHash?: string;
  readonly newHash?: string;
}

const hashes = new WeakMap<ToolSpec, string>();

/** SHA-256 (hex) of a tool's definition; moving it within or between files does not change it. */
export function definitionHash(tool: ToolSpec): string {
  let h = hashes.get(tool);
  if (h === undefined) {
    const { source: _source, ...definition } = tool;
    hashes.set(tool, (h = sha256Hex(canonicalJson(definition))));
  }
  return h;
}

export function toolSetChanges(before: ToolSet, after: ToolSet): ToolChange[] {
  const out: ToolChange[] = [];
  for (const t of after.tools) {
    const old = before.byName.get(t.name);
    if (!old) out.push({ tool: t.name, change: 'added', newHash: definitionHash(t) });
    else if (definitionHash(old) !== definitionHash(t))
      out.push({ tool: t.name, change: 'changed', oldHash: definitionHash(old), newHash: definitionHash(t) });
  }
  for (const t of before.tools) if (!after.byName.has(t.name)) out.push({ tool: t.name, change: 'removed', oldHash: definitionHash(t) });
  return out;
}
