// Tool names: from operationId when usable, else method + path; always valid and unique.
import { expect, test } from 'bun:test';
import { argName, LLM_NAME_PATTERN, slug, toolName, uniqueNamer } from '../../../src/importer/naming.ts';

const valid = LLM_NAME_PATTERN;

test('an operationId is kept when valid and sanitised when not', () => {
  expect(toolName({ operationId: 'getPlanet', method: 'GET', path: '/planets/{id}' })).toBe('getPlanet');
  expect(toolName({ operationId: 'get-stations', method: 'GET', path: '/stations' })).toBe('get-stations');
  expect(toolName({ operationId: 'repos/list for user!', method: 'GET', path: '/x' })).toBe('repos_list_for_user');
});

test('without a usable operationId the name is method plus path', () => {
  expect(toolName({ method: 'GET', path: '/planets/{planetId}' })).toBe('get_planets_planetId');
  expect(toolName({ operationId: '!!!', method: 'POST', path: '/' })).toBe('post_root');
});

test('names fit the LLM function-name pattern: dots replaced, long ones cut with a hash of the original', () => {
  expect(toolName({ operationId: 'compute.instances.list', method: 'GET', path: '/x' })).toBe('compute_instances_list');
  const a = toolName({ operationId: `${'x'.repeat(70)}A`, method: 'GET', path: '/' });
  const b = toolName({ operationId: `${'x'.repeat(70)}B`, method: 'GET', path: '/' });
  expect(a.length).toBe(64);
  expect(a).not.toBe(b);
  expect(toolName({ operationId: `${'x'.repeat(70)}A`, method: 'GET', path: '/' })).toBe(a);
  for (const n of [a, b, toolName({ method: 'DELETE', path: '/a b/{c d}/é' })]) expect(valid.test(n)).toBe(true);
});

test('a repeated name gets a numeric suffix, still within 64 characters', () => {
  const unique = uniqueNamer();
  expect(['list', 'list', 'list', 'other'].map(unique)).toEqual(['list', 'list_2', 'list_3', 'other']);
  const long = 'y'.repeat(64);
  const second = uniqueNamer();
  second(long);
  expect(second(long)).toBe(`${'y'.repeat(62)}_2`);
});

test('argument names and slugs use safe characters only', () => {
  expect(argName('X-Request-ID')).toBe('X-Request-ID');
  expect(argName('filter[name]')).toBe('filter_name_');
  expect(slug('Scalar Galaxy')).toBe('scalar-galaxy');
  expect(slug('  Ünïcode / API v2  ')).toBe('unicode-api-v2');
  expect(slug('***')).toBe('api');
});
