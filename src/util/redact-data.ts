// Masks secrets in decoded data, not in the bytes it came in: every string (and key, and number) of
// a parsed JSON value in one copy-on-write pass, and text with JSON-style escapes (\u004e, \/) undone.
import { NexusError } from '../errors.ts';
import { currentMatcher, MASK, maskText } from './redact.ts';

/** Deeper JSON is refused rather than walked (and the walk stays far from the stack's limit). */
export const MAX_JSON_DEPTH = 256;

export interface DataMasker {
  /** True when the text holds a secret in some form (a quick check before any walk). */
  test(text: string): boolean;
  /** Text with every secret masked, also one written with JSON escapes. */
  text(text: string): string;
  /** A parsed JSON value with every string, key and number holding a secret masked; the same value when none does. */
  json(value: unknown): unknown;
}

/** `extras`: the values this very request carried as credentials (any length from 4), masked as given. */
export function dataMasker(extras: readonly string[] = []): DataMasker {
  const m = currentMatcher();
  const extra = extras.flatMap((v) => (v.length >= 4 ? [v, v.replaceAll('/', '\\/')] : []));
  const hasExtra = (s: string) => extra.some((e) => s.includes(e));
  const plain = (s: string) => {
    let out = s;
    if (extra.length) for (const e of extra) if (out.includes(e)) out = out.split(e).join(MASK);
    return m.mask(out);
  };
  const test = (s: string) => m.test(s) || (extra.length > 0 && hasExtra(s));
  const text = (s: string) => maskText(s, plain, test);

  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') return test(v) || v.includes('\\') ? text(v) : v;
    if (typeof v === 'number') return test(String(v)) ? MASK : v;
    if (v === null || typeof v !== 'object') return v;
    if (depth >= MAX_JSON_DEPTH)
      throw new NexusError('UPSTREAM_ERROR', `backend answer nests deeper than ${MAX_JSON_DEPTH} levels`, {
        details: { reason: 'too_deep' },
      });
    if (Array.isArray(v)) {
      let out: unknown[] | undefined;
      for (let i = 0; i < v.length; i++) {
        const x = walk(v[i], depth + 1);
        if (x !== v[i]) (out ??= v.slice())[i] = x;
      }
      return out ?? v;
    }
    const o = v as Record<string, unknown>;
    let out: Record<string, unknown> | undefined;
    for (const k in o) {
      const x = walk(o[k], depth + 1);
      const key = test(k) ? text(k) : k;
      if (x === o[k] && key === k) continue;
      out ??= { ...o };
      if (key !== k) delete out[k];
      Object.defineProperty(out, key, { value: x, enumerable: true, writable: true, configurable: true }); // even "__proto__"
    }
    return out ?? v;
  };

  return { test, text, json: (v) => walk(v, 0) };
}
