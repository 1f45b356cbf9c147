// OpenAPI serialisation (style, explode; Swagger collectionFormat) -> the tool format's value styles.
// A combination Nexus cannot send faithfully is a problem string, never a guess.
import type { ValueStyle } from '../registry/spec.ts';
import { isRecord } from '../util/json.ts';
import type { JsonSchema } from './schema.ts';
import type { Parameter, PropertyEncoding } from './types.ts';

/** What a value of this schema can be, as far as serialising it goes. */
export type ValueShape = 'scalar' | 'array' | 'object' | 'object-or-scalar';

const types = (s: JsonSchema): string[] => {
  if (!isRecord(s)) return [];
  const own = typeof s.type === 'string' ? [s.type] : Array.isArray(s.type) ? s.type.filter((t) => typeof t === 'string') : [];
  const alts = [s.anyOf, s.oneOf].flatMap((a) => (Array.isArray(a) ? a.flatMap(types) : []));
  return [...own, ...alts];
};

export function valueShape(s: JsonSchema): ValueShape {
  const t = types(s);
  const own = isRecord(s) ? s.type : undefined;
  if (own === 'array' || (t.includes('array') && !t.some((x) => x !== 'array'))) return 'array';
  if (own === 'object' || (t.length && t.every((x) => x === 'object'))) return 'object';
  return t.includes('object') || t.includes('array') ? 'object-or-scalar' : 'scalar';
}

const COLLECTION: Record<string, ValueStyle> = { multi: 'repeat', csv: 'comma', ssv: 'space', pipes: 'pipe' };
const DELIMITED: Record<string, ValueStyle> = { form: 'comma', spaceDelimited: 'space', pipeDelimited: 'pipe' };

/** The style that sends an OpenAPI (style, explode) or collectionFormat as written, or a problem. */
export function styleOf(
  shape: ValueShape,
  style: string | undefined,
  explode: boolean | undefined,
  collectionFormat?: string,
): { style?: ValueStyle } | { problem: string } {
  if (shape === 'scalar') return {};
  if (collectionFormat !== undefined) {
    const s = COLLECTION[collectionFormat];
    return s && shape === 'array' ? { style: s } : { problem: `collectionFormat ${collectionFormat}` };
  }
  const st = style ?? 'form';
  // OpenAPI leaves deepObject arrays undefined; Stripe (and qs) mean a[0]=x, which deep sends
  if (st === 'deepObject') return { style: 'deep' };
  const exploded = explode ?? st === 'form';
  if (shape === 'array') {
    const s = exploded ? 'repeat' : DELIMITED[st];
    return s ? { style: s } : { problem: `an array with style ${st}` };
  }
  return { problem: `an object with style ${st}${exploded ? '' : ', explode: false'}` };
}

/** Path and header parameters: only `simple` (Nexus sends an array comma-separated). */
export function simpleStyleProblem(p: Parameter, shape: ValueShape): string | undefined {
  if (shape === 'scalar') return undefined;
  if (shape !== 'array') return `${p.in} parameter "${p.name}" is an object, which Nexus cannot serialise in the ${p.in}`;
  const style = p.collectionFormat ?? p.style ?? 'simple';
  return style === 'simple' || style === 'csv'
    ? undefined
    : `${p.in} parameter "${p.name}" is an array serialised as ${style} (Nexus sends simple, comma-separated)`;
}

/** A query parameter: its style, or a problem. */
export function queryStyle(p: Parameter, shape: ValueShape): { style?: ValueStyle } | { problem: string } {
  if (shape === 'object-or-scalar' && p.style !== 'deepObject') return {}; // sent as the value it is given
  const r = styleOf(shape, p.style, p.explode, p.collectionFormat);
  if ('problem' in r) return { problem: `query parameter "${p.name}" is ${r.problem}, which Nexus cannot serialise` };
  return r.style === 'repeat' ? {} : r;
}

/** A top-level field of a form or multipart body: its style (absent: the encoding's default), or a problem. */
export function fieldStyle(
  encoding: 'form' | 'multipart',
  shape: ValueShape,
  e: PropertyEncoding | undefined,
): { style?: ValueStyle; guessed?: true } | { problem: string } {
  if (shape === 'scalar') return {};
  if (!e?.style && e?.explode === undefined) {
    // multipart: the encoder's defaults are OpenAPI's (arrays repeated, objects as JSON parts)
    if (encoding === 'multipart') return {};
    return shape === 'array' ? { style: 'repeat' } : { guessed: true }; // OpenAPI's own default flattens keys away
  }
  const r = styleOf(shape === 'object-or-scalar' ? 'object' : shape, e.style, e.explode);
  if ('problem' in r) return r;
  return encoding === 'form' && r.style === 'deep' ? {} : r;
}
