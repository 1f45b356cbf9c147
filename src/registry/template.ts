// `{arg}` placeholders in request templates: found once at load, filled per call.
const PLACEHOLDER = /\{([A-Za-z0-9_.-]+)\}/g;

export type Part = { readonly lit: string } | { readonly arg: string };

/** Splits a template string into literal and placeholder parts. */
export function parseTemplate(text: string): Part[] {
  const parts: Part[] = [];
  let last = 0;
  for (const m of text.matchAll(PLACEHOLDER)) {
    if (m.index > last) parts.push({ lit: text.slice(last, m.index) });
    parts.push({ arg: m[1]! });
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push({ lit: text.slice(last) });
  return parts;
}

export const placeholders = (text: string): string[] => [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!);

/** Every placeholder name inside a JSON body template. */
export function bodyPlaceholders(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (typeof value === 'string') for (const p of placeholders(value)) into.add(p);
  else if (Array.isArray(value)) for (const v of value) bodyPlaceholders(v, into);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) bodyPlaceholders(v, into);
  return into;
}
