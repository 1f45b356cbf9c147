// Swagger 2.0 documents import like OpenAPI 3: host + basePath, body parameters, securityDefinitions.
import { expect, test } from 'bun:test';
import { importOpenApi } from '../../../src/importer/importer.ts';
import { parseSpec } from '../../../src/importer/load.ts';
import { expectValidToolFile } from './valid-tool-file.ts';

const SPEC = JSON.stringify({
  swagger: '2.0',
  info: { title: 'Pet Store', version: '1.0.0' },
  host: 'petstore.example.com',
  basePath: '/v1',
  schemes: ['http', 'https'],
  consumes: ['application/json'],
  produces: ['application/json'],
  securityDefinitions: {
    api_key: { type: 'apiKey', name: 'X-API-Key', in: 'header' },
    petstore_auth: {
      type: 'oauth2',
      flow: 'application',
      tokenUrl: 'https://auth.example.com/token',
      scopes: { 'read:pets': 'read', 'write:pets': 'write' },
    },
    basic: { type: 'basic' },
  },
  security: [{ api_key: [] }],
  definitions: {
    Pet: {
      type: 'object',
      required: ['name'],
      properties: {
        id: { type: 'integer', format: 'int64', readOnly: true },
        name: { type: 'string', example: 'Rex' },
        tag: { type: 'string', 'x-nullable': true },
      },
    },
  },
  parameters: { petId: { name: 'petId', in: 'path', required: true, type: 'integer', format: 'int64', description: 'ID of the pet' } },
  paths: {
    '/pets': {
      get: {
        operationId: 'listPets',
        parameters: [
          { name: 'limit', in: 'query', type: 'integer', maximum: 100, exclusiveMaximum: true },
          { name: 'tags', in: 'query', type: 'array', items: { type: 'string' }, collectionFormat: 'multi' },
          { name: 'status', in: 'query', type: 'array', items: { type: 'string' } },
        ],
        responses: { '200': { description: 'ok', schema: { type: 'array', items: { $ref: '#/definitions/Pet' } } } },
      },
      post: {
        operationId: 'addPet',
        security: [{ petstore_auth: ['write:pets'] }],
        parameters: [{ name: 'pet', in: 'body', required: true, schema: { $ref: '#/definitions/Pet' } }],
        responses: { '200': { description: 'ok', schema: { $ref: '#/definitions/Pet' } } },
      },
    },
    '/pets/{petId}': {
      parameters: [{ $ref: '#/parameters/petId' }],
      get: {
        operationId: 'getPet',
        security: [{ basic: [] }],
        responses: { '200': { description: 'ok', schema: { $ref: '#/definitions/Pet' } } },
      },
      post: {
        operationId: 'updatePetWithForm',
        consumes: ['application/x-www-form-urlencoded'],
        parameters: [
          { name: 'name', in: 'formData', type: 'string', required: true },
          { name: 'tags', in: 'formData', type: 'array', items: { type: 'string' } },
        ],
        responses: { '200': { description: 'ok' } },
      },
    },
    '/pets/{petId}/photo': {
      parameters: [{ $ref: '#/parameters/petId' }],
      post: {
        operationId: 'uploadPhoto',
        consumes: ['multipart/form-data'],
        parameters: [
          { name: 'photo', in: 'formData', type: 'file' },
          { name: 'caption', in: 'formData', type: 'string' },
          { name: 'codes', in: 'formData', type: 'array', items: { type: 'string' }, collectionFormat: 'tsv' },
        ],
        responses: { '200': { description: 'ok' } },
      },
    },
  },
});

const spec = parseSpec(SPEC, 'petstore.json');
const result = importOpenApi(spec);
const tool = (name: string) => result.file.tools.find((t) => t.name === name);

test('a Swagger 2.0 document is recognised and its host, basePath and https scheme form the base URL', () => {
  expect(spec.version).toBe('2.0');
  expect(result.file.backend).toEqual({
    base_url: 'https://petstore.example.com/v1',
    auth: { type: 'api_key', credential: 'pet-store-api-key', header: 'X-API-Key' },
  });
});

test('parameters carry their schema keywords; multi arrays repeat, csv ones (the default) are comma-separated', () => {
  expect(tool('listPets')).toEqual({
    name: 'listPets',
    meta: { 'nexus/operation_id': 'listPets' },
    description: 'GET /pets',
    input: {
      type: 'object',
      properties: {
        limit: { type: 'integer', exclusiveMaximum: 100 },
        tags: { type: 'array', items: { type: 'string' } },
        status: { type: 'array', items: { type: 'string' } },
      },
      additionalProperties: false,
    },
    request: { method: 'GET', path: '/pets', query: { limit: '{limit}', tags: '{tags}', status: { value: '{status}', style: 'comma' } } },
    annotations: { readOnlyHint: true },
  });
});

test('the body parameter becomes the arguments and an application flow becomes client credentials', () => {
  expect(tool('addPet')).toEqual({
    name: 'addPet',
    meta: { 'nexus/operation_id': 'addPet' },
    description: 'POST /pets',
    input: {
      type: 'object',
      properties: { name: { type: 'string', examples: ['Rex'] }, tag: { type: ['string', 'null'] } },
      required: ['name'],
    },
    request: { method: 'POST', path: '/pets' },
    output: {
      type: 'object',
      required: ['name'],
      properties: { id: { type: 'integer' }, name: { type: 'string' }, tag: { type: ['string', 'null'] } },
    },
    output_check: 'warn',
    auth: {
      type: 'oauth2_client_credentials',
      credential: 'pet-store-petstore-auth',
      token_url: 'https://auth.example.com/token',
      scopes: ['write:pets'],
    },
  });
});

test('a shared path parameter and basic auth are imported', () => {
  expect(tool('getPet')).toMatchObject({
    input: {
      type: 'object',
      properties: { petId: { type: 'integer', description: 'ID of the pet' } },
      required: ['petId'],
      additionalProperties: false,
    },
    request: { method: 'GET', path: '/pets/{petId}' },
    auth: { type: 'basic', credential: 'pet-store-basic' },
  });
});

test('formData parameters become a form body; a file parameter a skipped part; tsv arrays are reported', () => {
  expect(tool('updatePetWithForm')).toMatchObject({
    input: {
      type: 'object',
      properties: { petId: {}, name: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } } },
      required: ['petId', 'name'],
    },
    request: { method: 'POST', path: '/pets/{petId}', encoding: 'form', body_styles: { tags: 'comma' } },
  });
  expect(tool('uploadPhoto')).toMatchObject({
    input: { type: 'object', properties: { petId: {}, caption: { type: 'string' } }, required: ['petId'] },
    request: { method: 'POST', path: '/pets/{petId}/photo', encoding: 'multipart' },
  });
  expect(result.warnings).toEqual([
    'uploadPhoto: body field "photo" is a file, which Nexus cannot upload; field skipped',
    'uploadPhoto: body field "codes" is an array with style tsv, which Nexus cannot serialise; field skipped',
  ]);
  expectValidToolFile(result.file);
});
