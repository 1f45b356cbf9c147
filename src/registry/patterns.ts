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
export function badPatterns(schema: unknown, at = ''): string[] {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return [];
  const s = schema as JsonObject;
  const out: string[] = [];
  if (typeof s.pattern === 'string' && !compiles(s.pattern))
    out.push(`${at || '/'}/pattern ${JSON.stringify(s.pattern)} is not a JavaScript regular expression`);
  for (const k of SCHEMA_MAPS) {
    const m = s[k];
    if (typeof m !== 'object' || m === null || Array.isArray(m)) continue;
    for (const [name, sub] of Object.entries(m)) {
      if (k === 'patternProperties' && !compiles(name))
        out.push(`${at}/patternProperties key ${JSON.stringify(name)} is not a JavaScript regular expression`);
      out.push(...badPatterns(sub, `${at}/${k}/${name}`));
    }
  }
  for (const k of LISTS) {
    const list = s[k];
    if (Array.isArray(list)) for (const [i, sub] of list.entries()) out.push(...badPatterns(sub, `${at}/${k}/${i}`));
  }
  for (const k of SCHEMA_ONE) if (!Array.isArray(s[k])) out.push(...badPatterns(s[k], `${at}/${k}`));
  return out;
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
