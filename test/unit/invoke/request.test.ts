// Requests are built from templates: arguments fill values and never change the request's shape.

import { expect, test } from 'bun:test';
import { resolveConfig } from '../../../src/config/config.ts';
import { noProxyMatches, proxyFor } from '../../../src/invoke/proxy.ts';
import { buildRequest } from '../../../src/invoke/request.ts';
import { loadToolFile } from '../../../src/registry/load.ts';

const tool = (
  request: string,
  input = '{ type: object, properties: { id: { type: string }, q: {}, n: { type: integer }, tags: { type: array } }, required: [id] }',
) => {
  const { tools, issues } = loadToolFile(
    't.yaml',
    `backend: { base_url: "https://api.example.com/v2/", headers: { X-Static: s } }
tools:
  - name: t
    description: T.
    input: ${input}
    request: ${request}
`,
  );
  expect(issues).toEqual([]);
  return tools[0]!;
};

test('base path and template path are joined; a missing optional query arg drops the param', () => {
  const r = buildRequest(tool('{ method: GET, path: "/items/{id}", query: { q: "{q}", fixed: "1" } }'), { id: 'a b' });
  expect(r.url.href).toBe('https://api.example.com/v2/items/a%20b?fixed=1');
  expect(r.headers.get('x-static')).toBe('s');
  expect(r.body).toBeUndefined();
});

test('an array argument in a query value repeats the parameter', () => {
  const r = buildRequest(tool('{ method: GET, path: "/i/{id}", query: { tag: "{tags}" } }'), { id: 'x', tags: ['a', 'b&c'] });
  expect(r.url.search).toBe('?tag=a&tag=b%26c');
});

test('a body template keeps argument types and drops missing optional values', () => {
  const r = buildRequest(tool('{ method: POST, path: /i, body: { id: "{id}", count: "{n}", label: "item {id}", opt: "{q}" } }'), {
    id: 'x',
    n: 3,
  });
  expect(JSON.parse(r.body!)).toEqual({ id: 'x', count: 3, label: 'item x' });
  expect(r.headers.get('content-type')).toBe('application/json');
});

test('without a body template, POST sends the arguments not used elsewhere', () => {
  const r = buildRequest(tool('{ method: POST, path: "/i/{id}" }'), { id: 'x', n: 2, tags: ['t'] });
  expect(r.url.pathname).toBe('/v2/i/x');
  expect(JSON.parse(r.body!)).toEqual({ n: 2, tags: ['t'] });
});

test('a DELETE without a body template sends no body', () => {
  expect(buildRequest(tool('{ method: DELETE, path: "/i/{id}" }'), { id: 'x', n: 1 }).body).toBeUndefined();
});

test('slashes, dots and fragments stay inside one path segment; bare dots and empty values are refused', () => {
  const t = tool('{ method: GET, path: "/i/{id}" }');
  expect(buildRequest(t, { id: '../../etc/passwd' }).url.pathname).toBe('/v2/i/..%2F..%2Fetc%2Fpasswd');
  expect(buildRequest(t, { id: 'x#y?z' }).url.href).toBe('https://api.example.com/v2/i/x%23y%3Fz');
  for (const id of ['..', '.', '']) expect(() => buildRequest(t, { id })).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
});

test('NO_PROXY wins over HTTPS_PROXY; a backend proxy wins over both', () => {
  const env = resolveConfig({}, { https_proxy: 'http://proxy:3128', NO_PROXY: 'internal.corp,.svc.local' });
  expect(proxyFor(new URL('https://api.example.com/x'), undefined, env)).toBe('http://proxy:3128');
  expect(proxyFor(new URL('https://jira.internal.corp/x'), undefined, env)).toBeUndefined();
  expect(proxyFor(new URL('https://a.svc.local/x'), undefined, env)).toBeUndefined();
  expect(proxyFor(new URL('https://jira.internal.corp/x'), 'http://special:8080', env)).toBe('http://special:8080');
  expect(noProxyMatches('anything', '*')).toBe(true);
});

test('encoding: form sends the unused arguments form-encoded with its Content-Type', () => {
  const t = tool('{ method: POST, path: "/i/{id}", encoding: form }');
  const r = buildRequest(t, { id: 'x', n: 2, tags: ['a b', 'c'], q: { k: 'v' } });
  expect(r.headers.get('content-type')).toBe('application/x-www-form-urlencoded');
  expect(r.body).toBe('n=2&tags%5B0%5D=a+b&tags%5B1%5D=c&q%5Bk%5D=v');
});

test('encoding: multipart sets a boundary Content-Type even when the tool names another', () => {
  const t = tool('{ method: POST, path: /i, encoding: multipart, headers: { Content-Type: text/plain }, body: { id: "{id}" } }');
  const r = buildRequest(t, { id: 'x' });
  const type = r.headers.get('content-type')!;
  expect(type).toStartWith('multipart/form-data; boundary=');
  expect(r.body).toBe(`--${type.split('=')[1]}\r\nContent-Disposition: form-data; name="id"\r\n\r\nx\r\n--${type.split('=')[1]}--\r\n`);
});

test('a DELETE may carry a body template; without one it sends none', () => {
  const r = buildRequest(tool('{ method: DELETE, path: "/i/{id}", body: { labels: "{tags}" } }'), { id: 'x', tags: ['a'] });
  expect({ body: r.body, type: r.headers.get('content-type') }).toEqual({ body: '{"labels":["a"]}', type: 'application/json' });
});

test('a query style joins an array (explode: false) or nests an object; path and header arrays are comma-separated', () => {
  const t = tool(
    '{ method: GET, path: "/i/{id}", query: { ids: { value: "{tags}", style: comma }, created: { value: "{q}", style: deep }, n: { value: "{n}", style: pipe } }, headers: { X-Tags: "{tags}" } }',
    '{ type: object, properties: { id: { type: array }, q: {}, n: { type: integer }, tags: { type: array } }, required: [id] }',
  );
  const r = buildRequest(t, { id: ['a', 'b'], tags: [1, 'x,y'], q: { gte: 5 }, n: 3 });
  expect(r.url.pathname).toBe('/v2/i/a%2Cb');
  expect(decodeURIComponent(r.url.search)).toBe('?ids=1,x,y&created[gte]=5&n=3');
  expect(r.headers.get('x-tags')).toBe('1,x,y');
});

test('a GET body, body_styles on a JSON body and a form body that is not an object are refused at load', () => {
  const issues = (request: string) =>
    loadToolFile(
      't.yaml',
      `backend: { base_url: "https://api.example.com" }
tools:
  - { name: t, description: T., input: { type: object, properties: { a: {} } }, request: ${request} }
`,
    ).issues.map((i) => i.message);
  expect(issues('{ method: GET, path: /i, body: { a: "{a}" } }')).toEqual(['a GET request cannot have a body']);
  expect(issues('{ method: POST, path: /i, body_styles: { a: comma } }')).toEqual([
    'body_styles needs encoding: form or multipart (a JSON body has no styles)',
  ]);
  expect(issues('{ method: POST, path: /i, encoding: form, body: ["{a}"] }')).toEqual([
    'a form body must be an object (or one "{arg}" holding one)',
  ]);
  expect(issues('{ method: POST, path: /i, encoding: form, body: "{a}" }')).toEqual([]);
  expect(issues('{ method: GET, path: /i, query: { a: { value: "{a}", style: sideways } } }')).toHaveLength(1);
});
