// JSON with object keys sorted at every depth, so equal values always give the same text (and hash).
// Follows JSON.stringify otherwise: toJSON is honoured, undefined/functions/symbols drop out of
// objects and become null in arrays, non-finite numbers become null; BigInt and cycles throw.

export function canonicalJson(value: unknown): string {
  // Most arguments already are canonical (keys in order, plain values): JSON.stringify gives the same text
  if (isPlainCanonical(value, 0)) return JSON.stringify(value);
  const out = write(value, new Set());
  return out === undefined ? 'null' : out;
}

/** True when JSON.stringify of the value is its canonical form: sorted keys, nothing it would drop or change. */
function isPlainCanonical(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object':
      break;
    default:
      return false;
  }
  if (value === null) return true;
  if (depth > 32) return false; // deep or cyclic: the full writer decides
  if (Array.isArray(value)) {
    for (const v of value) if (!isPlainCanonical(v, depth + 1)) return false;
    return true;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
  let prev: string | undefined;
  for (const key in value) {
    if (prev !== undefined && !(prev < key)) return false;
    prev = key;
    if (!isPlainCanonical((value as Record<string, unknown>)[key], depth + 1)) return false;
  }
  return true;
}

function write(value: unknown, seen: Set<object>): string | undefined {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON: () => unknown }).toJSON();
  }
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      throw new TypeError('canonicalJson: BigInt is not JSON');
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (value === null) return 'null';
  const obj = value as object;
  if (seen.has(obj)) throw new TypeError('canonicalJson: cyclic value');
  seen.add(obj);
  let text: string;
  if (Array.isArray(obj)) {
    text = `[${obj.map((v) => write(v, seen) ?? 'null').join(',')}]`;
  } else {
    const record = obj as Record<string, unknown>;
    const parts: string[] = [];
    for (const key of Object.keys(record).sort()) {
      const v = write(record[key], seen);
      if (v !== undefined) parts.push(`${JSON.stringify(key)}:${v}`);
    }
    text = `{${parts.join(',')}}`;
  }
  seen.delete(obj);
  return text;
}
