// Patterns every client can compile: translation of PCRE-isms, and the load-time refusal of the rest.
import { expect, test } from 'bun:test';
import { schemaProblems } from '../../../src/registry/arguments.ts';
import { badPatterns, translatePattern } from '../../../src/registry/patterns.ts';

test('PCRE anchors and needless escapes are rewritten into JavaScript Unicode regexes', () => {
  expect(translatePattern('^[a-z]+$')).toBe('^[a-z]+$');
  expect(translatePattern('\\A[a-z]+\\Z')).toBe('^[a-z]+$');
  expect(translatePattern('^[a-zA-Z0-9\\_\\-\\.]+$')).toBe('^[a-zA-Z0-9\\x5f\\x2d\\.]+$');
  expect(new RegExp(translatePattern('^[a-zA-Z0-9\\_\\-\\.]+$')!, 'u').test('a_b-c.d')).toBe(true);
  expect(translatePattern('(?i)^abc$')).toBeUndefined();
});

test('a pattern JavaScript cannot compile is refused at load, in serve and check alike', () => {
  const schema = { type: 'object', properties: { id: { type: 'string', pattern: '(?i)^abc$' } } };
  expect(badPatterns(schema)).toEqual(['/properties/id/pattern "(?i)^abc$" is not a JavaScript regular expression']);
  expect(schemaProblems(schema, false)).toEqual(schemaProblems(schema, true));
  expect(schemaProblems(schema, false)).toEqual(['/properties/id/pattern "(?i)^abc$" is not a JavaScript regular expression']);
});
