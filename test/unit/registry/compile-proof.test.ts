// check skips Ajv's compile only where it is sure to succeed: every "yes" here compiles, and every
// schema Ajv refuses is a "no", so check still reports it with Ajv's own message.
import { expect, test } from 'bun:test';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { AJV_OPTIONS } from '../../../src/registry/ajv-options.ts';
import { schemaProblems } from '../../../src/registry/arguments.ts';
import { compilesAsIs } from '../../../src/registry/compile-proof.ts';
import type { JsonObject } from '../../../src/registry/spec.ts';

const ajvCompiles = (s: JsonObject): boolean => {
  const ajv = new Ajv2020({ ...AJV_OPTIONS, logger: false });
  addFormats(ajv);
  try {
    ajv.compile(s);
    return true;
  } catch {
    return false;
  }
};

const user = { type: 'object', properties: { login: { type: 'string' } } };
const PROVEN: Record<string, JsonObject> = {
  'no refs': { type: 'object', properties: { id: { type: 'integer' }, at: { type: 'string', format: 'date-time' } } },
  'refs into $defs, chained and nested': {
    type: 'object',
    properties: { owner: { $ref: '#/$defs/user' }, list: { type: 'array', items: { $ref: '#/$defs/users' } } },
    $defs: { user, users: { type: 'array', items: { $ref: '#/$defs/user' } } },
  },
  'an escaped pointer (~1 is /, ~0 is ~)': {
    type: 'object',
    properties: { a: { $ref: '#/$defs/a~1b~0c' } },
    $defs: { 'a/b~c': { type: 'string' } },
  },
  'a ref into properties': { type: 'object', properties: { a: { type: 'string' }, b: { $ref: '#/properties/a' } } },
};
const REFUSED_BY_AJV: Record<string, JsonObject> = {
  'a ref to a missing definition': { type: 'object', properties: { a: { $ref: '#/$defs/nope' } } },
  'a ref to another document': { type: 'object', properties: { a: { $ref: 'other.json#/x' } } },
  'a ref through a missing key': { type: 'object', properties: { a: { $ref: '#/$defs/user/nope' } }, $defs: { user } },
  'nullable without type': { type: 'object', properties: { a: { nullable: true } } },
  'an empty enum': { type: 'object', properties: { a: { enum: [] } } },
};
const NOT_PROVEN: Record<string, JsonObject> = {
  'an $id (refs resolve against it)': {
    $id: 'https://x.test/s',
    type: 'object',
    properties: { a: { $ref: '#/$defs/u' } },
    $defs: { u: user },
  },
  'an anchor': { type: 'object', properties: { a: { $ref: '#u' } }, $defs: { u: { $anchor: 'u', type: 'string' } } },
  'a percent-encoded pointer': { type: 'object', properties: { a: { $ref: '#/$defs/a%20b' } }, $defs: { 'a b': user } },
  'an unknown format (Ajv warns about it while compiling)': { type: 'object', properties: { a: { type: 'string', format: 'colour' } } },
  'a ref to the root': { type: 'object', properties: { a: { $ref: '#' } } },
  'an inherited key in the pointer (Ajv finds Object.prototype.constructor)': {
    type: 'object',
    properties: { a: { $ref: '#/$defs/constructor' } },
    $defs: {},
  },
};

for (const [name, s] of Object.entries(PROVEN)) {
  test(`proven to compile, and it does: ${name}`, () => {
    expect([compilesAsIs(s), ajvCompiles(s)]).toEqual([true, true]);
  });
}
for (const [name, s] of Object.entries(REFUSED_BY_AJV)) {
  test(`Ajv refuses it, so it is not proven: ${name}`, () => {
    expect([compilesAsIs(s), ajvCompiles(s)]).toEqual([false, false]);
  });
}
for (const [name, s] of Object.entries(NOT_PROVEN)) {
  test(`left to Ajv: ${name}`, () => {
    expect(compilesAsIs(s)).toBe(false);
  });
}

test("a thorough check still reports an unresolvable $ref in Ajv's words", () => {
  const s = REFUSED_BY_AJV['a ref to a missing definition']!;
  expect(schemaProblems(s, false)).toEqual([]);
  expect(schemaProblems(s, true)).toEqual(["can't resolve reference #/$defs/nope from id #"]);
});
