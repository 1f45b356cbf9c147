// OpenAPI Schema Objects become plain JSON Schema 2020-12.
import { expect, test } from 'bun:test';
import Ajv2020 from 'ajv/dist/2020.js';
import { isObjectSchema, toJsonSchema } from '../../../src/importer/schema.ts';

test('OpenAPI 3.0 nullable, example and boolean exclusive bounds become 2020-12 keywords', () => {
  const out = toJsonSchema(
    { type: 'integer', nullable: true, minimum: 0, exclusiveMinimum: true, maximum: 9, exclusiveMaximum: false, example: 3 },
    'input',
  );
  expect(out).toEqual({ type: ['integer', 'null'], exclusiveMinimum: 0, maximum: 9, examples: [3] });
});

test('a nullable enum accepts null', () => {
  expect(toJsonSchema({ type: 'string', enum: ['a', 'b'], nullable: true }, 'input')).toEqual({
    type: ['string', 'null'],
    enum: ['a', 'b', null],
  });
});

test('OpenAPI-only keywords, extensions and non-standard formats are dropped', () => {
  const out = toJsonSchema(
    {
      description: 'Pet',
      type: 'object',
      xml: { name: 'pet' },
      discriminator: { propertyName: 'kind' },
      'x-internal': true,
      properties: { id: { type: 'integer', format: 'int64' }, at: { type: 'string', format: 'date-time' } },
    },
    'input',
  );
  expect(out).toEqual({
    type: 'object',
    description: 'Pet',
    properties: { id: { type: 'integer' }, at: { type: 'string', format: 'date-time' } },
  });
});

test('readOnly properties leave the input and writeOnly ones leave the output', () => {
  const schema = {
    type: 'object',
    required: ['id', 'name', 'password'],
    properties: {
      id: { type: 'integer', readOnly: true, examples: [1] },
      name: { type: 'string', examples: ['Mars'] },
      password: { type: 'string', writeOnly: true },
    },
  };
  expect(toJsonSchema(schema, 'input')).toEqual({
    type: 'object',
    required: ['name', 'password'],
    properties: { name: { type: 'string', examples: ['Mars'] }, password: { type: 'string' } },
  });
  expect(toJsonSchema(schema, 'output')).toEqual({
    type: 'object',
    required: ['id', 'name'],
    properties: { id: { type: 'integer' }, name: { type: 'string' } },
  });
});

test('an allOf of plain object schemas is merged into one object', () => {
  const out = toJsonSchema(
    {
      allOf: [
        { type: 'object', description: 'A user', properties: { name: { type: 'string' } } },
        { type: 'object', required: ['email'], properties: { email: { type: 'string', format: 'email' } } },
      ],
    },
    'input',
  );
  expect(out).toEqual({
    type: 'object',
    properties: { name: { type: 'string' }, email: { type: 'string', format: 'email' } },
    required: ['email'],
  });
  expect(isObjectSchema(out)).toBe(true);
});

test('an allOf that is more than property composition is left as it is', () => {
  const schema = { allOf: [{ type: 'object', properties: { a: { type: 'string' } } }, { minProperties: 1 }] };
  expect(toJsonSchema(schema, 'input')).toEqual(schema);
  expect(isObjectSchema(toJsonSchema(schema, 'input'))).toBe(false);
});

test('Swagger-style tuple items become prefixItems and every result is a valid 2020-12 schema', () => {
  const out = toJsonSchema({ type: 'array', items: [{ type: 'string' }, { type: 'number', format: 'double' }] }, 'input');
  expect(out).toEqual({ type: 'array', prefixItems: [{ type: 'string' }, { type: 'number' }] });
  expect(new Ajv2020({ strict: true }).validateSchema(out as object)).toBe(true);
});

test('an invalid type accepts any value, and boolean property schemas become objects', () => {
  // Codat nests a whole schema under `type`; Vercel declares a property schema as `false`
  expect(toJsonSchema({ type: { type: 'string', enum: ['a'] }, description: 'Kind' }, 'input')).toEqual({ description: 'Kind' });
  expect(toJsonSchema({ type: ['string', 'Bill'] }, 'input')).toEqual({ type: ['string'] });
  expect(toJsonSchema({ type: 'object', properties: { any: true, none: false } }, 'input')).toEqual({
    type: 'object',
    properties: { any: {}, none: { not: {} } },
  });
});
