// --include tag:/path: and --operations choose which operations become tools.
import { expect, test } from 'bun:test';
import { importOpenApi } from '../../../src/importer/importer.ts';
import { parseSpec } from '../../../src/importer/load.ts';

const ok = { responses: { '200': { description: 'ok' } } };
const spec = parseSpec(
  JSON.stringify({
    openapi: '3.0.0',
    info: { title: 'Zoo', version: '1' },
    servers: [{ url: 'https://zoo.example.com' }],
    paths: {
      '/pets': { get: { operationId: 'listPets', tags: ['Pets'], ...ok }, post: { operationId: 'createPet', tags: ['pets'], ...ok } },
      '/pets/{id}': {
        get: {
          operationId: 'getPet',
          tags: ['pets'],
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          ...ok,
        },
      },
      '/keepers': { get: { operationId: 'listKeepers', tags: ['staff'], ...ok } },
      '/health': { get: ok },
    },
  }),
  'zoo.json',
);
const names = (opts: Parameters<typeof importOpenApi>[1]) => importOpenApi(spec, opts).file.tools.map((t) => t.name);

test('without filters every operation is imported', () => {
  expect(names({})).toEqual(['listPets', 'createPet', 'getPet', 'listKeepers', 'get_health']);
});

test('a tag filter matches case-insensitively, and filters in a comma list or repeated add up', () => {
  expect(names({ include: ['tag:pets'] })).toEqual(['listPets', 'createPet', 'getPet']);
  expect(names({ include: ['tag:staff,path:/health'] })).toEqual(['listKeepers', 'get_health']);
  expect(names({ include: ['tag:staff', 'path:/health'] })).toEqual(['listKeepers', 'get_health']);
});

test('a path filter is a glob', () => {
  expect(names({ include: ['path:/pets/*'] })).toEqual(['getPet']);
  expect(names({ include: ['path:/pets*'] })).toEqual(['listPets', 'createPet', 'getPet']);
});

test('--operations takes operationIds or generated names, and names an unknown one', () => {
  const r = importOpenApi(spec, { operations: ['getPet,get_health', 'nope'] });
  expect(r.file.tools.map((t) => t.name)).toEqual(['getPet', 'get_health']);
  expect(r.warnings).toEqual(['--operations: no operation named nope']);
});

test('a malformed filter or a selection with nothing in it is an input error', () => {
  expect(() => names({ include: ['label:x'] })).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  expect(() => names({ include: ['tag:birds'] })).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
});
