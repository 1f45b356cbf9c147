// Local `$ref` resolution: nested refs expanded, a ref that leads back to itself is cut and reported.
import { isRecord, type JsonRecord } from '../util/json.ts';

export interface RefIssue {
  readonly kind: 'cycle' | 'external' | 'missing';
  readonly ref: string;
}

export interface Resolver {
  /** A copy of `value` with every local `$ref` replaced by its target; problems are appended to `issues`. */
  resolve(value: unknown, issues: RefIssue[]): unknown;
}

/** The value a local reference (`#/components/schemas/Pet`) points at, or undefined. */
export function pointer(root: unknown, ref: string): unknown {
  let fragment: string;
  try {
    fragment = decodeURIComponent(ref.slice(1));
  } catch {
    return undefined;
  }
  if (fragment === '') return root;
  if (!fragment.startsWith('/')) return undefined; // plain-name anchors are not resolved
  let cur = root;
  for (const raw of fragment.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur) && /^\d+$/.test(key)) cur = cur[Number(key)];
    else if (isRecord(cur) && Object.hasOwn(cur, key)) cur = cur[key];
    else return undefined;
  }
  return cur;
}

export function createResolver(root: unknown): Resolver {
  // targets that resolved without meeting a cycle are the same wherever they are used
  const done = new Map<string, unknown>();

  const walk = (value: unknown, stack: readonly string[], issues: RefIssue[]): unknown => {
    if (Array.isArray(value)) return value.map((v) => walk(v, stack, issues));
    if (!isRecord(value)) return value;
    const { $ref, ...rest } = value;
    const siblings: JsonRecord = {};
    for (const [k, v] of Object.entries(rest)) siblings[k] = walk(v, stack, issues);
    if (typeof $ref !== 'string') return siblings;
    const target = lookup($ref, stack, issues);
    if (isRecord(target)) return { ...target, ...siblings };
    return Object.keys(siblings).length || target === undefined ? siblings : target;
  };

  const lookup = (ref: string, stack: readonly string[], issues: RefIssue[]): unknown => {
    if (!ref.startsWith('#')) return void issues.push({ kind: 'external', ref });
    if (stack.includes(ref)) return void issues.push({ kind: 'cycle', ref });
    if (done.has(ref)) return done.get(ref);
    const raw = pointer(root, ref);
    if (raw === undefined) return void issues.push({ kind: 'missing', ref });
    const inner: RefIssue[] = [];
    const out = walk(raw, [...stack, ref], inner);
    issues.push(...inner);
    if (!inner.some((i) => i.kind === 'cycle')) done.set(ref, out);
    return out;
  };

  return { resolve: (value, issues) => walk(value, [], issues) };
}

/** One line per distinct issue, for warnings. */
export function describeRefIssues(issues: readonly RefIssue[]): string[] {
  const text = {
    cycle: (r: string) => `recursive $ref ${r} cut where it repeats (accepts any value there)`,
    external: (r: string) => `external $ref ${r} is not resolved (accepts any value there)`,
    missing: (r: string) => `$ref ${r} points at nothing (accepts any value there)`,
  };
  return [...new Set(issues.map((i) => text[i.kind](i.ref)))];
}
