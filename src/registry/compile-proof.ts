// A proof, without Ajv, that Ajv will compile a schema: `nexus check` used to compile every schema
// (~10 ms each for an imported API's answer schemas) only to learn that its $refs resolve.
//
// Called after the meta-schema and pattern checks passed. With those and strict: false, Ajv's compile
// can only fail on a $ref it cannot resolve, or on keywords outside the 2020-12 meta-schema that Ajv
// checks itself (nullable, $async, ajv-formats' formatMaximum...). So a schema whose every $ref is a
// plain JSON pointer ("#/$defs/user") to an object in the same schema, with no $id, anchor, dynamic ref
// or such keyword anywhere, compiles. Anything else answers false and is compiled, as before: the
// proof only ever skips a compile that would succeed, so check reports exactly what it did.
import type { JsonObject } from './spec.ts';

// only `nexus check` proves compiles: serving never loads the format table
let formats: Record<string, unknown> | undefined;
const knownFormats = () =>
  (formats ??= (require('ajv-formats/dist/formats.js') as typeof import('ajv-formats/dist/formats.js')).fullFormats);

// keywords that change how refs resolve, or that Ajv checks beyond the meta-schema
const COMPILE_ANYWAY = new Set([
  '$id',
  '$anchor',
  '$dynamicRef',
  '$dynamicAnchor',
  '$recursiveRef',
  '$recursiveAnchor',
  '$schema',
  '$async',
  '$data',
  'nullable',
  'discriminator',
  'formatMaximum',
  'formatMinimum',
  'formatExclusiveMaximum',
  'formatExclusiveMinimum',
  '__proto__',
]);
// only unreserved characters: no percent-decoding or URI normalisation to second-guess
const PLAIN_POINTER = /^#(\/[A-Za-z0-9_.\-$~]+)+$/;
const isObject = (v: unknown): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The object a plain "#/a/b" pointer names inside `root`, or undefined. */
function pointee(root: JsonObject, ref: string): unknown {
  let at: unknown = root;
  for (const raw of ref.slice(2).split('/')) {
    if (/~[^01]/.test(raw) || raw.endsWith('~')) return undefined;
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (at === null || typeof at !== 'object' || !Object.hasOwn(at, key)) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

/**
 * True when Ajv (2020-12, strict: false) is sure to compile `schema`. Looks at every key at any depth,
 * data (enum, const, examples) included: a "$ref" there is checked too, which can only answer false.
 */
export function compilesAsIs(schema: JsonObject): boolean {
  const stack: unknown[] = [schema];
  while (stack.length) {
    const v = stack.pop();
    if (Array.isArray(v)) {
      for (const x of v) if (x !== null && typeof x === 'object') stack.push(x);
      continue;
    }
    if (!isObject(v)) continue;
    for (const key in v) {
      if (COMPILE_ANYWAY.has(key)) return false;
      const x = v[key];
      if (key === '$ref') {
        if (typeof x !== 'string' || !PLAIN_POINTER.test(x) || !isObject(pointee(schema, x))) return false;
      } else if (key === 'format') {
        // Ajv warns on an unknown format while compiling: keep that warning
        if (typeof x === 'string' && !Object.hasOwn(knownFormats(), x)) return false;
      } else if (key === 'enum') {
        if (!Array.isArray(x) || x.length === 0) return false;
      }
      if (x !== null && typeof x === 'object') stack.push(x);
    }
  }
  return true;
}
