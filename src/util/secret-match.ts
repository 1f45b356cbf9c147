// Finds secrets in text in every form a backend or a log line could carry them: clear, "/" escaped,
// URL- and form-encoded, hex (either case), base64 and base64url at any byte alignment (so also
// inside a longer encoded value such as a Basic header), and any long prefix of each of those forms.
// One regular expression over the prefixes finds candidates; each is then extended as far as it goes.

export const MASK = '[REDACTED]';
/** Shorter values are not masked: they would mangle ordinary text. */
export const MIN_SECRET = 6;
const MIN_PREFIX = 8;

interface Form {
  readonly text: string;
  /** How many leading characters must match before a match counts (a long prefix is a leak too). */
  readonly min: number;
  /** Characters of the encoding's alphabet after the match that still carry bits of the secret. */
  readonly tail?: RegExp;
}

export interface SecretMatcher {
  /** True when `text` holds any form of any secret. */
  test(text: string): boolean;
  /** `text` with every form of every secret replaced by [REDACTED]; the same string when none is there. */
  mask(text: string): string;
}

const B64_TAIL = /^[A-Za-z0-9+/]{0,3}={0,2}/;
const B64URL_TAIL = /^[A-Za-z0-9_-]{0,3}={0,2}/;
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const minOf = (len: number) => Math.min(len, Math.max(MIN_PREFIX, Math.ceil(len / 2)));

/** The base64 characters that depend only on the secret's bytes when it starts `shift` bytes into a group. */
function base64Cores(bytes: Buffer, url: boolean): string[] {
  return [0, 1, 2].map((shift) => {
    const enc = Buffer.concat([Buffer.alloc(shift), bytes]).toString(url ? 'base64url' : 'base64');
    return enc.slice([0, 2, 3][shift], Math.floor(((shift + bytes.length) * 8) / 6));
  });
}

function formsOf(secret: string): Form[] {
  const bytes = Buffer.from(secret);
  const hex = bytes.toString('hex');
  const plain = [
    secret,
    secret.replaceAll('/', '\\/'),
    encodeURIComponent(secret),
    encodeURIComponent(secret).replaceAll('%20', '+'),
    hex,
    hex.toUpperCase(),
  ];
  const forms: Form[] = plain.map((text) => ({ text, min: minOf(text.length) }));
  for (const url of [false, true]) {
    for (const text of base64Cores(bytes, url)) forms.push({ text, min: minOf(text.length), tail: url ? B64URL_TAIL : B64_TAIL });
  }
  return forms.filter((f) => f.text.length >= MIN_SECRET);
}

const NONE: SecretMatcher = { test: () => false, mask: (t) => t };

export function compileSecrets(secrets: Iterable<string>): SecretMatcher {
  const byHead = new Map<string, Form[]>();
  const prefixes = new Set<string>();
  for (const s of new Set(secrets)) {
    if (s.length < MIN_SECRET) continue;
    for (const f of formsOf(s)) {
      const head = f.text.slice(0, MIN_SECRET);
      const list = byHead.get(head) ?? [];
      if (!list.some((g) => g.text === f.text)) list.push(f);
      byHead.set(head, list);
      prefixes.add(f.text.slice(0, f.min));
    }
  }
  if (!prefixes.size) return NONE;
  // longest first, so the alternation prefers the form that covers most
  const source = [...prefixes]
    .sort((a, b) => b.length - a.length)
    .map(esc)
    .join('|');
  const probe = new RegExp(source);
  const scan = new RegExp(source, 'g');

  /** End of the longest form matching at `start`, or -1. */
  const extent = (text: string, start: number): number => {
    let best = -1;
    for (const f of byHead.get(text.slice(start, start + MIN_SECRET)) ?? []) {
      let e = start;
      while (e - start < f.text.length && e < text.length && text.charCodeAt(e) === f.text.charCodeAt(e - start)) e++;
      if (e - start < f.min) continue;
      if (f.tail && e - start === f.text.length) e += f.tail.exec(text.slice(e, e + 5))![0].length;
      best = Math.max(best, e);
    }
    return best;
  };

  return {
    test: (text) => probe.test(text),
    mask(text) {
      if (!probe.test(text)) return text;
      let out = '';
      let last = 0;
      scan.lastIndex = 0;
      for (let m = scan.exec(text); m; m = scan.exec(text)) {
        const end = Math.max(extent(text, m.index), m.index + m[0].length);
        out += text.slice(last, m.index) + MASK;
        last = scan.lastIndex = end;
      }
      return out + text.slice(last);
    },
  };
}
