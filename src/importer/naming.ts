// Tool names (^[a-zA-Z0-9_-]{1,64}$: what OpenAI, Anthropic and Gemini accept), argument names, slugs.
import { createHash } from 'node:crypto';

/** The function-name pattern of the mainstream LLM APIs; imported names always match it. */
export const LLM_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;
const MAX = 64;

const hash = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 8);

const clean = (s: string): string =>
  s
    .replace(/[^A-Za-z0-9_-]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^[_-]+|[_-]+$/g, '');

/** A long name keeps its start and ends in a hash of the whole original, so two long names never meet. */
const fit = (name: string, original: string): string =>
  name.length <= MAX ? name : `${name.slice(0, MAX - 9).replace(/[_-]+$/, '')}_${hash(original)}`;

/** From operationId, else method + path (`get_planets_planetId`); dots and other characters become `_`. */
export function toolName(op: { readonly operationId?: string; readonly method: string; readonly path: string }): string {
  const fromId = op.operationId ? clean(op.operationId) : '';
  if (fromId) return fit(fromId, op.operationId!);
  const segments = op.path
    .split('/')
    .map((s) => s.replace(/[{}]/g, ''))
    .filter(Boolean);
  return fit(clean(`${op.method.toLowerCase()}_${segments.join('_') || 'root'}`), `${op.method} ${op.path}`);
}

/** Returns a function that makes each name unique with a numeric suffix (`name_2`), within 64 characters. */
export function uniqueNamer(): (name: string) => string {
  const taken = new Set<string>();
  return (name) => {
    let out = name;
    for (let n = 2; taken.has(out); n++) out = `${name.slice(0, MAX - String(n).length - 1)}_${n}`;
    taken.add(out);
    return out;
  };
}

/** An argument name usable as a `{placeholder}`: characters outside A-Z a-z 0-9 _ . - become `_`. */
export const argName = (name: string): string => name.replace(/[^A-Za-z0-9_.-]/g, '_') || '_';

/** Lower-case words joined by `-`: `Scalar Galaxy` -> `scalar-galaxy`. */
export function slug(text: string, fallback = 'api'): string {
  const s = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/, '');
  return s || fallback;
}
