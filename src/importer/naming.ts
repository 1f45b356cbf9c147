// Tool names (^[A-Za-z0-9_.-]{1,128}$, unique), argument names and file/credential slugs.
const MAX = 128;

const clean = (s: string): string =>
  s
    .replace(/[^A-Za-z0-9_.-]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^[_.-]+|[_.-]+$/g, '')
    .slice(0, MAX);

/** From operationId, else method + path (`get_planets_planetId`). */
export function toolName(op: { readonly operationId?: string; readonly method: string; readonly path: string }): string {
  const fromId = op.operationId ? clean(op.operationId) : '';
  if (fromId) return fromId;
  const segments = op.path
    .split('/')
    .map((s) => s.replace(/[{}]/g, ''))
    .filter(Boolean);
  return clean(`${op.method.toLowerCase()}_${segments.join('_') || 'root'}`);
}

/** Returns a function that makes each name unique with a numeric suffix (`name_2`). */
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
