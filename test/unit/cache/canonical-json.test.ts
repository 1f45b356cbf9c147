import { expect, test } from 'bun:test';
import { canonicalJson } from '../../../src/util/canonical-json.ts';

test('object keys are sorted at every depth, arrays keep their order', () => {
  expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}');
});

test('equal values written in any key order give the same text', () => {
  expect(canonicalJson({ x: 1, y: [1, 2], z: { q: true } })).toBe(canonicalJson({ z: { q: true }, y: [1, 2], x: 1 }));
});

test('it reads like JSON.stringify for everything but key order', () => {
  const value = {
    s: 'é"\n',
    n: -0.5,
    big: 1e21,
    nan: NaN,
    inf: -Infinity,
    t: true,
    nul: null,
    u: undefined,
    f: () => 1,
    arr: [undefined, () => 1],
    d: new Date(0),
  };
  expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
  expect([canonicalJson(undefined), canonicalJson('x'), canonicalJson([])]).toEqual(['null', '"x"', '[]']);
});

test('values that are not JSON are refused', () => {
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  expect(() => canonicalJson(cyclic)).toThrow(TypeError);
  expect(() => canonicalJson({ n: 1n })).toThrow(TypeError);
  const shared = { a: 1 };
  expect(canonicalJson([shared, shared])).toBe('[{"a":1},{"a":1}]');
});

test('text already in canonical order comes out exactly as written; anything else is rewritten', () => {
  const sorted = { a: [1, 'x', { b: null, c: false }], d: { e: 2.5 } };
  expect(canonicalJson(sorted)).toBe(JSON.stringify(sorted));
  // integer-like keys: JavaScript enumerates them numerically, canonical order is by text
  expect(canonicalJson({ 9: 'a', 10: 'b' })).toBe('{"10":"b","9":"a"}');
  expect(canonicalJson({ a: 1, b: undefined })).toBe('{"a":1}');
  expect(canonicalJson({ a: [NaN, undefined] })).toBe('{"a":[null,null]}');
  expect(canonicalJson({ a: new Date(0) })).toBe('{"a":"1970-01-01T00:00:00.000Z"}');
  let deep: unknown = { z: 1, y: 2 };
  for (let i = 0; i < 40; i++) deep = [deep];
  expect(canonicalJson(deep)).toBe(JSON.stringify(deep).replace('{"z":1,"y":2}', '{"y":2,"z":1}'));
});
