// Local `$ref` resolution. Shallow schema refs are inlined (what a model reads best); deeper, large or
// recursive ones become `#/$defs/NAME` references, so no schema is expanded combinatorially.
import { isRecord, type JsonRecord } from '../util/json.ts';

export interface RefIssue {
  readonly kind: 'cycle' | 'external' | 'missing';
  readonly ref: string;
}

export interface Resolver {
  /** A copy of `value` with local `$ref`s resolved; problems are appended to `issues`. */
  resolve(value: unknown, issues: RefIssue[]): unknown;
  /** The body of a `#/$defs/NAME` that `resolve` wrote (its own refs are `$defs` references too). */
  def(name: string): unknown;
}

/** Schema refs nested this deep (or back into themselves) stay references. */
export const INLINE_DEPTH = 2;

/** A nested schema ref (not the operation's own body or answer) whose target is larger than this, or
 * that its schema uses more than once, stays a reference: inlining wide schemas into wide schemas, or
 * one schema into hundreds of properties, multiplies their size (DocuSign's tabs and settings). */
export const INLINE_BYTES = 4096;

const NONE: ReadonlySet<string> = new Set();

/** The `$ref`s that occur more than once in `value` (not following them). */
function repeatedRefs(value: unknown): ReadonlySet<string> {
  const seen = new Set<string>();
  const twice = new Set<string>();
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) for (const x of v) visit(x);
    else if (isRecord(v)) {
      if (typeof v.$ref === 'string') (seen.has(v.$ref) ? twice : seen).add(v.$ref);
      for (const x of Object.values(v)) visit(x);
    }
  };
  visit(value);
  return twice.size ? twice : NONE;
}

export const DEFS_PREFIX = '#/$defs/';

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

// A schema, or a schema inside one (Azure points at `#/components/schemas/X/properties/y`): both count
// towards the inline depth and can become defs, or such refs would expand without bound
const SCHEMA_REF = /^#\/(?:components\/schemas|definitions|\$defs)\/(.+)$/;
const isSchemaRef = (ref: string): boolean => SCHEMA_REF.test(ref);

export function createResolver(root: unknown): Resolver {
  const inlined = new Map<string, { value: unknown; issues: RefIssue[] }>(); // `${ref}|${depth}`
  const defNames = new Map<string, string>(); // ref -> def name
  const defRefs = new Map<string, string>(); // def name -> ref
  const defBodies = new Map<string, unknown>();
  const sizes = new Map<string, number>(); // ref -> bytes of its raw target
  const large = (ref: string): boolean => {
    let n = sizes.get(ref);
    if (n === undefined) sizes.set(ref, (n = JSON.stringify(pointer(root, ref) ?? null).length));
    return n > INLINE_BYTES;
  };

  const nameFor = (ref: string): string => {
    const known = defNames.get(ref);
    if (known) return known;
    let path = SCHEMA_REF.exec(ref)?.[1] ?? ref.slice(ref.lastIndexOf('/') + 1);
    try {
      path = decodeURIComponent(path);
    } catch {}
    const last = path
      .split('/')
      .map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'))
      .join('.');
    const base = last.replace(/[^A-Za-z0-9_.-]+/g, '_') || 'def';
    let name = base;
    for (let i = 2; defRefs.has(name); i++) name = `${base}_${i}`;
    defNames.set(ref, name);
    defRefs.set(name, ref);
    return name;
  };

  // depth: schema refs inlined on the way here; Infinity inside a def body (every schema ref stays one).
  // repeated: the refs used more than once by the schema being inlined (see INLINE_BYTES)
  const walk = (value: unknown, stack: readonly string[], depth: number, issues: RefIssue[], repeated = NONE): unknown => {
    if (Array.isArray(value)) return value.map((v) => walk(v, stack, depth, issues, repeated));
    if (!isRecord(value)) return value;
    const { $ref, ...rest } = value;
    const siblings: JsonRecord = {};
    for (const [k, v] of Object.entries(rest)) siblings[k] = walk(v, stack, depth, issues, repeated);
    if (typeof $ref !== 'string') return siblings;
    const keep = (r: string) => depth >= INLINE_DEPTH || stack.includes(r) || (depth > 0 && (repeated.has(r) || large(r)));
    if (isSchemaRef($ref) && keep($ref) && pointer(root, $ref) !== undefined) {
      return { $ref: `${DEFS_PREFIX}${nameFor($ref)}`, ...siblings };
    }
    const target = lookup($ref, stack, isSchemaRef($ref) ? depth + 1 : depth, issues);
    if (isRecord(target)) return { ...target, ...siblings };
    return Object.keys(siblings).length || target === undefined ? siblings : target;
  };

  const lookup = (ref: string, stack: readonly string[], depth: number, issues: RefIssue[]): unknown => {
    if (!ref.startsWith('#')) return void issues.push({ kind: 'external', ref });
    if (stack.includes(ref)) return void issues.push({ kind: 'cycle', ref });
    const key = `${ref}|${depth}`;
    const memo = inlined.get(key);
    if (memo) {
      issues.push(...memo.issues);
      return memo.value;
    }
    const raw = pointer(root, ref);
    if (raw === undefined) return void issues.push({ kind: 'missing', ref });
    const inner: RefIssue[] = [];
    const value = walk(raw, [...stack, ref], depth, inner, isSchemaRef(ref) ? repeatedRefs(raw) : NONE);
    issues.push(...inner);
    if (!inner.some((i) => i.kind === 'cycle')) inlined.set(key, { value, issues: inner });
    return value;
  };

  return {
    resolve: (value, issues) => walk(value, [], 0, issues),
    def(name) {
      const ref = defRefs.get(name);
      if (ref === undefined) return undefined;
      if (!defBodies.has(name)) defBodies.set(name, walk(pointer(root, ref), [ref], Number.POSITIVE_INFINITY, []));
      return defBodies.get(name);
    },
  };
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
