// Regex patterns in JSON Schemas: every client compiles them as JavaScript Unicode regexes (Ajv's `u` flag).
import type { JsonObject } from './spec.ts';

const compiles = (p: string): boolean => {
  try {
    new RegExp(p, 'u');
    return true;
  } catch {
    return false;
  }
};

// The schema-valued keywords of JSON Schema (maps, lists and single subschemas): the one list every
// walker over schemas uses (this check, the importer's translation).
export const SCHEMA_MAPS: readonly string[] = ['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas'];
export const SCHEMA_LISTS: readonly string[] = ['allOf', 'anyOf', 'oneOf', 'prefixItems'];
export const SCHEMA_ONE: readonly string[] = [
  'additionalProperties',
  'items',
  'not',
  'if',
  'then',
  'else',
  'contains',
  'propertyNames',
  'unevaluatedProperties',
  'unevaluatedItems',
  'additionalItems',
  'contentSchema',
];
// draft-07's array form of `items` is a list too
const LISTS = [...SCHEMA_LISTS, 'items'];

/** Every `pattern` (and `patternProperties` key) of a schema that JavaScript cannot compile, with where it is. */
export function badPatterns(schema: unknown): string[] {
  const out: string[] = [];
  collectBadPatterns(schema, [], out, new Set());
  return out;
}

// one accumulator, the path as a stack (joined only for a problem) and a set of the patterns already
// compiled: imported schemas repeat the same few, and a big catalogue has ~100,000 subschemas
function collectBadPatterns(schema: unknown, at: string[], out: string[], good: Set<string>): void {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return;
  const ok = (p: string) => good.has(p) || (compiles(p) && !!good.add(p));
  const where = () => at.map((p) => `/${p}`).join('');
  const s = schema as JsonObject;
  if (typeof s.pattern === 'string' && !ok(s.pattern))
    out.push(`${where() || '/'}/pattern ${JSON.stringify(s.pattern)} is not a JavaScript regular expression`);
  for (const k of SCHEMA_MAPS) {
    const m = s[k];
    if (typeof m !== 'object' || m === null || Array.isArray(m)) continue;
    for (const name in m) {
      if (k === 'patternProperties' && !ok(name))
        out.push(`${where()}/patternProperties key ${JSON.stringify(name)} is not a JavaScript regular expression`);
      at.push(k, name);
      collectBadPatterns((m as JsonObject)[name], at, out, good);
      at.length -= 2;
    }
  }
  for (const k of LISTS) {
    const list = s[k];
    if (!Array.isArray(list)) continue;
    for (let i = 0; i < list.length; i++) {
      at.push(k, String(i));
      collectBadPatterns(list[i], at, out, good);
      at.length -= 2;
    }
  }
  for (const k of SCHEMA_ONE) {
    const one = s[k];
    if (typeof one !== 'object' || one === null || Array.isArray(one)) continue;
    at.push(k);
    collectBadPatterns(one, at, out, good);
    at.length -= 1;
  }
}

/** A PCRE-style pattern rewritten for JavaScript (`\A`, `\Z`, needless escapes), or undefined when it cannot be. */
export function translatePattern(p: string): string | undefined {
  if (compiles(p)) return p;
  const t = p
    .replace(/^\\A/, '^')
    .replace(/\\[Zz]$/, '$')
    // an escaped punctuation mark that is not regex syntax: invalid in Unicode mode, so spell it as \xHH
    .replace(/\\([^A-Za-z0-9\s\\^$.*+?()[\]{}|/])/g, (_m, c: string) =>
      c.charCodeAt(0) < 128 ? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}` : c,
    );
  return compiles(t) ? t : undefined;
}
