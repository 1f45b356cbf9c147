// Local $ref resolution: nested refs, sibling keywords, cycles, external and dangling refs.
import { expect, test } from 'bun:test';
import { createResolver, describeRefIssues, pointer, type RefIssue } from '../../../src/importer/refs.ts';

const doc = {
  components: {
    schemas: {
      Id: { type: 'integer' },
      Pet: { type: 'object', properties: { id: { $ref: '#/components/schemas/Id' }, owner: { $ref: '#/components/schemas/Person' } } },
      Person: { type: 'object', properties: { name: { type: 'string' } } },
      Node: { type: 'object', properties: { children: { type: 'array', items: { $ref: '#/components/schemas/Node' } } } },
      'a/b~c': { type: 'boolean' },
    },
  },
};

test('a JSON pointer decodes ~1, ~0 and percent-escapes', () => {
  expect(pointer(doc, '#/components/schemas/a~1b~0c')).toEqual({ type: 'boolean' });
  expect(pointer(doc, '#/components/schemas/a%7E1b~0c')).toEqual({ type: 'boolean' });
  expect(pointer(doc, '#/components/schemas/Nope')).toBeUndefined();
  expect(pointer(doc, '#')).toBe(doc);
});

test('nested refs are resolved all the way down', () => {
  const issues: RefIssue[] = [];
  const out = createResolver(doc).resolve({ $ref: '#/components/schemas/Pet' }, issues);
  expect(out).toEqual({
    type: 'object',
    properties: { id: { type: 'integer' }, owner: { type: 'object', properties: { name: { type: 'string' } } } },
  });
  expect(issues).toEqual([]);
});

test('keywords beside a $ref override the target', () => {
  const out = createResolver(doc).resolve({ $ref: '#/components/schemas/Id', description: 'The id' }, []);
  expect(out).toEqual({ type: 'integer', description: 'The id' });
});

test('a recursive schema stays a $defs reference, resolved once, with nothing reported', () => {
  const issues: RefIssue[] = [];
  const resolver = createResolver(doc);
  const out = resolver.resolve({ $ref: '#/components/schemas/Node' }, issues);
  expect(out).toEqual({ type: 'object', properties: { children: { type: 'array', items: { $ref: '#/$defs/Node' } } } });
  expect(resolver.def('Node')).toEqual(out);
  expect(issues).toEqual([]);
});

test('schema refs deeper than the inline depth become $defs references', () => {
  const chain = {
    components: {
      schemas: {
        A: { type: 'object', properties: { b: { $ref: '#/components/schemas/B' } } },
        B: { type: 'object', properties: { c: { $ref: '#/components/schemas/C' } } },
        C: { type: 'string' },
      },
    },
  };
  const resolver = createResolver(chain);
  expect(resolver.resolve({ $ref: '#/components/schemas/A' }, [])).toEqual({
    type: 'object',
    properties: { b: { type: 'object', properties: { c: { $ref: '#/$defs/C' } } } },
  });
  expect(resolver.def('C')).toEqual({ type: 'string' });
});

test('a large or repeated nested schema stays a $defs reference; the top-level one is always inlined', () => {
  const wide = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`field${i}`, { type: 'string', description: 'x'.repeat(40) }]));
  const shapes = {
    components: {
      schemas: {
        Body: {
          type: 'object',
          properties: {
            big: { $ref: '#/components/schemas/Wide' },
            meta1: { $ref: '#/components/schemas/Meta' },
            meta2: { $ref: '#/components/schemas/Meta' },
            once: { $ref: '#/components/schemas/Once' },
          },
        },
        Wide: { type: 'object', properties: wide },
        Meta: { type: 'object', properties: { editable: { type: 'boolean' } } },
        Once: { type: 'integer' },
      },
    },
  };
  const resolver = createResolver(shapes);
  expect(resolver.resolve({ $ref: '#/components/schemas/Body' }, [])).toEqual({
    type: 'object',
    properties: {
      big: { $ref: '#/$defs/Wide' },
      meta1: { $ref: '#/$defs/Meta' },
      meta2: { $ref: '#/$defs/Meta' },
      once: { type: 'integer' },
    },
  });
  expect(resolver.resolve({ $ref: '#/components/schemas/Wide' }, [])).toEqual({ type: 'object', properties: wide });
});

test('mutually recursive schemas resolve in time linear in the document', () => {
  const schemas: Record<string, unknown> = {};
  for (let i = 0; i < 200; i++) {
    const props: Record<string, unknown> = {};
    for (let j = 0; j < 200; j += 7) props[`p${j}`] = { $ref: `#/components/schemas/S${(i + j) % 200}` };
    schemas[`S${i}`] = { type: 'object', properties: props };
  }
  const resolver = createResolver({ components: { schemas } });
  const out = JSON.stringify(resolver.resolve({ $ref: '#/components/schemas/S0' }, []));
  expect(out.length).toBeLessThan(100_000);
});

test("refs into a schema's properties count as schema refs, so they stay bounded and become named defs", () => {
  const schemas: Record<string, unknown> = {};
  for (let i = 0; i < 30; i++) {
    const props: Record<string, unknown> = { self: { type: 'string' } };
    for (let j = 1; j < 30; j += 3)
      props[`p${j}`] = { type: 'array', items: { $ref: `#/components/schemas/S${(i + j) % 30}/properties/p${j}` } };
    schemas[`S${i}`] = { type: 'object', properties: props };
  }
  const resolver = createResolver({ components: { schemas } });
  const out = JSON.stringify(resolver.resolve({ $ref: '#/components/schemas/S0' }, []));
  expect(out.length).toBeLessThan(100_000);
  expect(out).toContain('"#/$defs/');
  const name = /"#\/\$defs\/([^"]+)"/.exec(out)![1]!;
  expect(name).toMatch(/^S\d+\.properties\.p\d+$/);
  expect(resolver.def(name)).toMatchObject({ type: 'array' });
});

test('external and dangling refs become permissive schemas and are reported', () => {
  const issues: RefIssue[] = [];
  const out = createResolver(doc).resolve({ a: { $ref: 'common.yaml#/Pet' }, b: { $ref: '#/components/schemas/Gone' } }, issues);
  expect(out).toEqual({ a: {}, b: {} });
  expect(issues).toEqual([
    { kind: 'external', ref: 'common.yaml#/Pet' },
    { kind: 'missing', ref: '#/components/schemas/Gone' },
  ]);
  expect(describeRefIssues(issues)).toEqual([
    'external $ref common.yaml#/Pet is not resolved (accepts any value there)',
    '$ref #/components/schemas/Gone points at nothing (accepts any value there)',
  ]);
});

test('a resolved target is reused, and resolving never changes the document', () => {
  const before = JSON.stringify(doc);
  const resolver = createResolver(doc);
  const a = resolver.resolve({ $ref: '#/components/schemas/Person' }, []);
  const b = resolver.resolve({ $ref: '#/components/schemas/Person' }, []);
  expect(a).toEqual(b);
  expect(JSON.stringify(doc)).toBe(before);
});
