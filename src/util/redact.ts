// Masks secrets wherever text leaves the process: logs, audit rows, backend answers. The secrets come
// from sources: each vault's index of the credentials it holds (vault/secret-index.ts, rebuilt when
// they change) and the few process-wide ones from configuration (master key, proxy and Redis passwords).
import { compileSecrets, MASK, MIN_SECRET, type SecretMatcher } from './secret-match.ts';

export { MASK };

const SECRET_KEY = /pass(word)?|secret|token|authorization|api[-_]?key|cookie|credential|private/i;

/** A key or variable name whose value is treated as a secret (GITHUB_TOKEN, X-Api-Key, ...). */
export const isSecretName = (name: string): boolean => SECRET_KEY.test(name);

export interface SecretSource {
  values(): Iterable<string>;
}

const configured = new Set<string>();
const sources = new Set<SecretSource>([{ values: () => configured }]);
let matcher: SecretMatcher | undefined;

/** A source's values changed: the next redaction rebuilds the matcher. */
export function secretsChanged(): void {
  matcher = undefined;
}

/** Adds a source of secrets; returns the function that removes it. */
export function addSecretSource(source: SecretSource): () => void {
  sources.add(source);
  secretsChanged();
  return () => {
    sources.delete(source);
    secretsChanged();
  };
}

/** A process-wide secret from configuration (master key, proxy or Redis password). */
export function registerSecret(value: string): void {
  if (value.length < MIN_SECRET || configured.has(value)) return;
  configured.add(value);
  secretsChanged();
}

export function currentMatcher(): SecretMatcher {
  if (!matcher) {
    const all: string[] = [];
    for (const s of sources) for (const v of s.values()) all.push(v);
    matcher = compileSecrets(all);
  }
  return matcher;
}

const ESCAPE = /\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|[\\/"bfnrt])/g;
const SIMPLE: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
/** Undoes JSON- and C-style escapes (\u004e, \x4e, \/, \n): a secret written with them is still that secret. */
export const unescapeText = (s: string): string =>
  s.replace(ESCAPE, (_, e: string) => (e.length > 1 ? String.fromCharCode(Number.parseInt(e.slice(1), 16)) : (SIMPLE[e] ?? e)));

/** Text with every secret masked; text holding one only once its escapes are undone is masked decoded. */
export function maskText(text: string, mask: (t: string) => string = currentMatcher().mask, has = currentMatcher().test): string {
  const masked = mask(text);
  if (!masked.includes('\\')) return masked;
  const decoded = unescapeText(masked);
  return has(decoded) ? mask(decoded) : masked;
}

export const redactText = (text: string): string => maskText(text);

/** Masks a log or audit value: strings, values under secret-looking keys, error messages. */
export function redact<T>(value: T, depth = 0): T {
  if (depth > 8) return value;
  if (typeof value === 'string') return redactText(value) as T;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1)) as T;
  if (value instanceof Error) return { name: value.name, message: redactText(value.message) } as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = SECRET_KEY.test(k) && typeof v === 'string' ? MASK : redact(v, depth + 1);
    }
    return out as T;
  }
  return value;
}
