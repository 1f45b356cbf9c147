// Form, multipart and query-style encodings: nested values, special characters, empty arrays, booleans.
import { expect, test } from 'bun:test';
import { formBody, multipartBody, stylePairs } from '../../../src/invoke/encode.ts';

const decoded = (form: string) => [...new URLSearchParams(form)];

test('a form body nests objects and arrays with brackets, the way Stripe expects', () => {
  const body = formBody(
    't',
    {
      amount: 2000,
      metadata: { order_id: '6735', note: 'a&b=c' },
      items: [{ price: 'p_1', quantity: 2 }, { price: 'p_2' }],
      expand: ['customer'],
    },
    {},
  );
  expect(decoded(body)).toEqual([
    ['amount', '2000'],
    ['metadata[order_id]', '6735'],
    ['metadata[note]', 'a&b=c'],
    ['items[0][price]', 'p_1'],
    ['items[0][quantity]', '2'],
    ['items[1][price]', 'p_2'],
    ['expand[0]', 'customer'],
  ]);
  expect(body).toContain('metadata%5Bnote%5D=a%26b%3Dc');
});

test('form values: booleans and numbers as JSON text, null as empty, spaces and unicode encoded, empty arrays and objects send nothing', () => {
  const body = formBody('t', { on: true, off: false, n: 1.5, none: null, text: 'héllo wörld+1', tags: [], meta: {}, skip: undefined }, {});
  expect(body).toBe('on=true&off=false&n=1.5&none=&text=h%C3%A9llo+w%C3%B6rld%2B1');
  expect(decoded(body)).toEqual([
    ['on', 'true'],
    ['off', 'false'],
    ['n', '1.5'],
    ['none', ''],
    ['text', 'héllo wörld+1'],
  ]);
});

test('a form field with a style is sent in it: repeat, comma, space, pipe', () => {
  const body = formBody(
    't',
    { a: [1, 2], b: ['x', 'y,z'], c: ['p', 'q'], d: [true, false], e: [] },
    {
      a: 'repeat',
      b: 'comma',
      c: 'space',
      d: 'pipe',
      e: 'comma',
    },
  );
  expect(decoded(body)).toEqual([
    ['a', '1'],
    ['a', '2'],
    ['b', 'x,y,z'],
    ['c', 'p q'],
    ['d', 'true|false'],
  ]);
});

test('a form or multipart body that is not an object is refused with INVALID_INPUT', () => {
  expect(() => formBody('t', ['a'], {})).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  expect(() => multipartBody('t', 'text', {})).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
});

test('query styles follow OpenAPI: repeat, comma (explode: false), space, pipe and deep (deepObject)', () => {
  expect(stylePairs('ids', [1, 2, 3], 'comma')).toEqual([['ids', '1,2,3']]);
  expect(stylePairs('ids', [1, 2], 'repeat')).toEqual([
    ['ids', '1'],
    ['ids', '2'],
  ]);
  expect(stylePairs('ids', ['a', 'b'], 'space')).toEqual([['ids', 'a b']]);
  expect(stylePairs('ids', ['a', 'b'], 'pipe')).toEqual([['ids', 'a|b']]);
  expect(stylePairs('ids', [], 'comma')).toEqual([]);
  expect(stylePairs('ids', 'one', 'comma')).toEqual([['ids', 'one']]);
  expect(stylePairs('created', { gte: 1, lt: 2 }, 'deep')).toEqual([
    ['created[gte]', '1'],
    ['created[lt]', '2'],
  ]);
});

/** Parts of a multipart body as [headers, text] pairs, split on the boundary of its content type. */
function parts(m: { body: string; contentType: string }): Array<[string, string]> {
  const boundary = /boundary=(.+)$/.exec(m.contentType)![1]!;
  expect(m.body.endsWith(`--${boundary}--\r\n`)).toBe(true);
  return m.body
    .split(`--${boundary}`)
    .slice(1, -1)
    .map((p) => {
      const [head, ...rest] = p.slice(2, -2).split('\r\n\r\n');
      return [head!, rest.join('\r\n\r\n')];
    });
}

test('multipart: scalars are text parts, scalar arrays repeat, objects are JSON parts, quotes in names are escaped', () => {
  const m = multipartBody(
    't',
    { purpose: 'dispute_evidence', n: 3, ok: true, tags: ['a', 'b'], data: { x: [1] }, 'we"ird\nname': 'v' },
    {},
  );
  expect(m.contentType).toMatch(/^multipart\/form-data; boundary=nexus-[0-9a-f]{32}$/);
  expect(parts(m)).toEqual([
    ['Content-Disposition: form-data; name="purpose"', 'dispute_evidence'],
    ['Content-Disposition: form-data; name="n"', '3'],
    ['Content-Disposition: form-data; name="ok"', 'true'],
    ['Content-Disposition: form-data; name="tags"', 'a'],
    ['Content-Disposition: form-data; name="tags"', 'b'],
    ['Content-Disposition: form-data; name="data"\r\nContent-Type: application/json', '{"x":[1]}'],
    ['Content-Disposition: form-data; name="we%22ird%0Aname"', 'v'],
  ]);
});

test('multipart: a field with a style is sent as its pairs, one part each', () => {
  const m = multipartBody('t', { file_link_data: { create: true }, expand: ['a'] }, { file_link_data: 'deep', expand: 'deep' });
  expect(parts(m)).toEqual([
    ['Content-Disposition: form-data; name="file_link_data[create]"', 'true'],
    ['Content-Disposition: form-data; name="expand[0]"', 'a'],
  ]);
});

test('a multipart body is what a standard parser reads back', async () => {
  const m = multipartBody('t', { title: 'héllo "x"', meta: { a: 1 } }, {});
  const form = await new Response(m.body, { headers: { 'content-type': m.contentType } }).formData();
  expect([...form.entries()]).toEqual([
    ['title', 'héllo "x"'],
    ['meta', '{"a":1}'],
  ]);
});
