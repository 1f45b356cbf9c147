import { expect, test } from 'bun:test';
import { canonicalJson } from '../../../src/util/canonical-json.ts';

test('object keys are sorted at every depth, arrays keep their order', () => {
  expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}');
});

test('equal values written in any key order give the same text', () => {
  expect(canonicalJson({ x: 1, y: [1, 2], z: { q: true } })).toBe(canonicalJson({ z: { q: true }, y: [1, 2], x: 1 }));
});

test('it reads like JSON.stringify for everything but key order', () => {
  const value = { s: 'é"\n', n: -0.5, big: 1e21, nan: NaN, inf: -Infinity, t: true, nul: null, u: undefined, f: () => 1, arr: [undefined, () => 1], d: new Date(0) };
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
