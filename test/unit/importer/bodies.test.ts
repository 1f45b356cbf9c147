// Non-JSON bodies and parameter styles import faithfully, or are reported with a reason and counted.
import { expect, test } from 'bun:test';
import { importOpenApi } from '../../../src/importer/importer.ts';
import { parseSpec } from '../../../src/importer/load.ts';
import { expectValidToolFile } from './valid-tool-file.ts';

const ok = { '200': { description: 'ok' } };
const doc = (paths: Record<string, unknown>) =>
  parseSpec(
    JSON.stringify({ openapi: '3.0.3', info: { title: 'Shop', version: '1' }, servers: [{ url: 'https://shop.example.com' }], paths }),
    'shop.json',
  );
const body = (type: string, schema: unknown, extra: Record<string, unknown> = {}) => ({
  requestBody: { required: true, content: { [type]: { schema, ...extra } } },
  responses: ok,
});

// a query parameter in each style
const SEARCH = [
  { name: 'ids', in: 'query', style: 'form', explode: false, schema: { type: 'array', items: { type: 'integer' } } },
  { name: 'words', in: 'query', style: 'spaceDelimited', explode: false, schema: { type: 'array', items: { type: 'string' } } },
  { name: 'kinds', in: 'query', style: 'pipeDelimited', explode: false, schema: { type: 'array', items: { type: 'string' } } },
  { name: 'created', in: 'query', style: 'deepObject', explode: true, schema: { type: 'object' } },
  { name: 'tags', in: 'query', schema: { type: 'array', items: { type: 'string' } } },
];

const result = importOpenApi(
  doc({
    '/customers': {
      post: {
        operationId: 'createCustomer',
        ...body(
          'application/x-www-form-urlencoded',
          {
            type: 'object',
            required: ['email'],
            properties: {
              email: { type: 'string' },
              metadata: { type: 'object', additionalProperties: { type: 'string' } },
              address: { type: 'object', properties: { city: { type: 'string' } } },
              tags: { type: 'array', items: { type: 'string' } },
              ids: { type: 'array', items: { type: 'integer' } },
            },
          },
          { encoding: { metadata: { style: 'deepObject', explode: true }, ids: { style: 'form', explode: false } } },
        ),
      },
      // Stripe declares an empty form body on its GETs
      get: { operationId: 'listCustomers', ...body('application/x-www-form-urlencoded', { type: 'object', properties: {} }) },
    },
    '/files': {
      post: {
        operationId: 'createFile',
        ...body(
          'multipart/form-data',
          {
            type: 'object',
            properties: {
              purpose: { type: 'string' },
              data: { type: 'object', properties: { create: { type: 'boolean' } } },
              file: { type: 'string', format: 'binary' },
            },
          },
          { encoding: { data: { style: 'deepObject', explode: true } } },
        ),
      },
    },
    '/avatars': {
      post: {
        operationId: 'uploadAvatar',
        ...body('multipart/form-data', {
          type: 'object',
          required: ['image'],
          properties: { image: { type: 'string', format: 'binary' }, alt: { type: 'string' } },
        }),
      },
    },
    '/notes': { post: { operationId: 'addNote', ...body('*/*', { type: 'object', properties: { text: { type: 'string' } } }) } },
    '/raw': { put: { operationId: 'putRaw', ...body('application/octet-stream', { type: 'string', format: 'binary' }) } },
    '/issues/{id}/labels': {
      delete: {
        operationId: 'removeLabels',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        ...body('application/json', { type: 'object', properties: { labels: { type: 'array', items: { type: 'string' } } } }),
      },
    },
    '/search': {
      get: {
        operationId: 'search',
        parameters: SEARCH,
        ...body('application/json', { type: 'object', properties: { q: { type: 'string' } } }),
      },
    },
    '/grid/{cells}': {
      get: {
        operationId: 'grid',
        parameters: [{ name: 'cells', in: 'path', required: true, style: 'matrix', schema: { type: 'array', items: { type: 'string' } } }],
        responses: ok,
      },
    },
  }),
);
const tool = (name: string) => result.file.tools.find((t) => t.name === name);

test('a form body: nested fields deep by default, arrays repeated unless explode: false says otherwise', () => {
  expect(tool('createCustomer')?.request).toEqual({
    method: 'POST',
    path: '/customers',
    encoding: 'form',
    body_styles: { tags: 'repeat', ids: 'comma' },
  });
  expect(tool('createCustomer')?.input).toMatchObject({
    required: ['email'],
    properties: { metadata: {}, address: {}, tags: {}, ids: {} },
  });
});

test('an empty GET body is left out; a GET that needs one is skipped', () => {
  expect(tool('listCustomers')?.request).toEqual({ method: 'GET', path: '/customers' });
  expect(tool('search')).toBeUndefined();
});

test('multipart: text and deepObject fields are imported, an optional file part is left out, a file-only body skips', () => {
  expect(tool('createFile')?.request).toEqual({ method: 'POST', path: '/files', encoding: 'multipart', body_styles: { data: 'deep' } });
  expect(Object.keys(tool('createFile')?.input?.properties ?? {})).toEqual(['purpose', 'data']);
  expect(tool('uploadAvatar')).toBeUndefined();
});

test('*/* is sent as JSON; application/octet-stream is skipped', () => {
  expect(tool('addNote')?.request).toEqual({ method: 'POST', path: '/notes' });
  expect(tool('putRaw')).toBeUndefined();
});

test('a DELETE with a JSON body gets a body template of its fields', () => {
  expect(tool('removeLabels')?.request).toEqual({ method: 'DELETE', path: '/issues/{id}/labels', body: { labels: '{labels}' } });
});

test('every skip and left-out part is reported, and the summary counts skips by reason', () => {
  expect(result.warnings).toEqual([
    'createCustomer: body field "address" has no encoding; nested values are sent as deepObject (address[key]=value)',
    'createFile: body field "file" is a file, which Nexus cannot upload; field skipped',
    'uploadAvatar: required body field "image" is a file, which Nexus cannot upload; operation skipped',
    'addNote: request body */* is sent as JSON',
    'putRaw: request body application/octet-stream is not supported (only JSON, form-urlencoded and multipart); operation skipped',
    'search: a GET request with a body is not supported (fetch cannot send one); operation skipped',
    'grid: required path parameter "cells" is an array serialised as matrix (Nexus sends simple, comma-separated); operation skipped',
  ]);
  expect(result.skipped).toEqual([
    ['file upload (multipart file part)', 1],
    ['GET with a body', 1],
    ['request body media type not supported', 1],
    ['required parameter Nexus cannot send', 1],
  ]);
  expectValidToolFile(result.file);
});

test('query styles: explode false, spaceDelimited, pipeDelimited and deepObject map to comma, space, pipe and deep', () => {
  const r = importOpenApi(
    doc({
      '/search': {
        get: {
          operationId: 'search',
          parameters: SEARCH,
          responses: ok,
        },
      },
    }),
  );
  expect(r.file.tools[0]?.request.query).toEqual({
    ids: { value: '{ids}', style: 'comma' },
    words: { value: '{words}', style: 'space' },
    kinds: { value: '{kinds}', style: 'pipe' },
    created: { value: '{created}', style: 'deep' },
    tags: '{tags}',
  });
  expectValidToolFile(r.file);
});

test('a document whose operations are all unsupported imports nothing and counts why', () => {
  const r = importOpenApi(doc({ '/raw': { put: { operationId: 'putRaw', ...body('text/csv', { type: 'string' }) } } }));
  expect({ tools: r.file.tools, operations: r.operations, skipped: r.skipped }).toEqual({
    tools: [],
    operations: 1,
    skipped: [['request body media type not supported', 1]],
  });
});

test('a tool renamed to fit the name pattern keeps its original operationId in meta, a tool without one has none', () => {
  const r = importOpenApi(
    doc({
      '/repos/{o}/contents': {
        get: { operationId: 'repos/get-content.v2', parameters: [{ name: 'o', in: 'path', schema: { type: 'string' } }], responses: ok },
        put: { parameters: [{ name: 'o', in: 'path', schema: { type: 'string' } }], responses: ok },
      },
    }),
  );
  expect(r.file.tools.map((t) => [t.name, t.meta])).toEqual([
    ['repos_get-content_v2', { 'nexus/operation_id': 'repos/get-content.v2' }],
    ['put_repos_o_contents', undefined],
  ]);
  expectValidToolFile(r.file);
});
