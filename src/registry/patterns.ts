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
  collectBadPatterns(schema, '', out, new Set());
  return out;
}

// one accumulator and a set of the patterns already compiled: imported schemas repeat the same few
function collectBadPatterns(schema: unknown, at: string, out: string[], good: Set<string>): void {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return;
  const ok = (p: string) => good.has(p) || (compiles(p) && !!good.add(p));
  const s = schema as JsonObject;
  if (typeof s.pattern === 'string' && !ok(s.pattern))
    out.push(`${at || '/'}/pattern ${JSON.stringify(s.pattern)} is not a JavaScript regular expression`);
  for (const k of SCHEMA_MAPS) {
    const m = s[k];
    if (typeof m !== 'object' || m === null || Array.isArray(m)) continue;
    for (const name in m) {
      if (k === 'patternProperties' && !ok(name))
        out.push(`${at}/patternProperties key ${JSON.stringify(name)} is not a JavaScript regular expression`);
      collectBadPatterns((m as JsonObject)[name], `${at}/${k}/${name}`, out, good);
    }
  }
  for (const k of LISTS) {
    const list = s[k];
    if (Array.isArray(list)) for (let i = 0; i < list.length; i++) collectBadPatterns(list[i], `${at}/${k}/${i}`, out, good);
  }
  for (const k of SCHEMA_ONE) if (!Array.isArray(s[k])) collectBadPatterns(s[k], `${at}/${k}`, out, good);
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
