// Last line of defence for logs and error excerpts: masks values of secret-looking keys and any
// registered secret value (the vault registers every secret it opens), in clear or encoded form.
const SECRET_KEY = /pass(word)?|secret|token|authorization|api[-_]?key|cookie|credential|private/i;
const known = new Set<string>();

/** Registers a secret so it is masked wherever it shows up in logged or returned text. */
export function registerSecret(value: string): void {
  if (value.length < 6) return; // too short to mask without mangling ordinary text
  known.add(value);
  known.add(Buffer.from(value).toString('base64'));
  known.add(encodeURIComponent(value));
  known.add(value.replaceAll('/', '\\/')); // as JSON encoders like PHP's write it
}

export function redactText(text: string): string {
  let out = text;
  for (const s of known) if (out.includes(s)) out = out.split(s).join('[REDACTED]');
  return out;
}

export function redact<T>(value: T, depth = 0): T {
  if (depth > 8) return value;
  if (typeof value === 'string') return redactText(value) as T;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1)) as T;
  if (value instanceof Error) return { name: value.name, message: redactText(value.message) } as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = SECRET_KEY.test(k) && typeof v === 'string' ? '[REDACTED]' : redact(v, depth + 1);
    }
    return out as T;
  }
  return value;
}
