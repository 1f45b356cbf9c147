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
