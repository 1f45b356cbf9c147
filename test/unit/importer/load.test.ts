// Documents load from files or URLs, as JSON or YAML, and name their version.
import { expect, test } from 'bun:test';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSpec, parseSpec } from '../../../src/importer/load.ts';

const YAML_31 = 'openapi: 3.1.0\ninfo: { title: T, version: "1" }\npaths: {}\n';

test('JSON and YAML parse to the same document and the version is recognised', () => {
  const json = parseSpec(JSON.stringify({ openapi: '3.0.3', info: { title: 'T', version: '1' }, paths: {} }), 'a.json');
  expect(json.version).toBe('3.0');
  expect(parseSpec(YAML_31, 'a.yaml')).toEqual({
    doc: { openapi: '3.1.0', info: { title: 'T', version: '1' }, paths: {} },
    version: '3.1',
    source: 'a.yaml',
    warnings: [],
  });
  expect(parseSpec('swagger: "2.0"\ninfo: { title: T, version: "1" }\n', 's.yaml').version).toBe('2.0');
});

test('an OpenAPI 3.2 document is read as 3.1 with a warning', () => {
  const spec = parseSpec(YAML_31.replace('3.1.0', '3.2.0'), 'a.yaml');
  expect([spec.version, spec.warnings]).toEqual([
    '3.1',
    ['OpenAPI 3.2.0 is read as 3.1: additionalOperations and the QUERY method are skipped'],
  ]);
});

test('an unknown version, a non-object and broken syntax are input errors', () => {
  for (const text of ['openapi: 4.0.0\ninfo: {}\n', '- a\n- b\n', '{ "openapi": ', 'a: [\n']) {
    expect(() => parseSpec(text, 'x')).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  }
});

test('a file path is read from disk and a missing file is an input error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nexus-openapi-'));
  writeFileSync(join(dir, 'spec.yaml'), YAML_31);
  expect((await loadSpec(join(dir, 'spec.yaml'))).version).toBe('3.1');
  await expect(loadSpec(join(dir, 'missing.yaml'))).rejects.toMatchObject({ code: 'INVALID_INPUT' });
});

test('a URL is fetched, and its printable form drops credentials and query', async () => {
  const seen: string[] = [];
  const fake = (async (url: URL | RequestInfo) => {
    seen.push(String(url));
    return new Response(YAML_31);
  }) as typeof fetch;
  const spec = await loadSpec('https://user:pw@api.example.com/openapi.yaml?token=abc', fake);
  expect(seen).toEqual(['https://user:pw@api.example.com/openapi.yaml?token=abc']);
  expect(spec.source).toBe('https://api.example.com/openapi.yaml');
  expect(spec.url?.href).toBe('https://api.example.com/openapi.yaml');
});

test('a failing URL is an upstream error', async () => {
  const notFound = (async () => new Response('no', { status: 404 })) as unknown as typeof fetch;
  await expect(loadSpec('https://api.example.com/openapi.yaml', notFound)).rejects.toMatchObject({ code: 'UPSTREAM_ERROR' });
  const down = (async () => {
    throw new TypeError('connection refused');
  }) as unknown as typeof fetch;
  await expect(loadSpec('https://api.example.com/openapi.yaml', down)).rejects.toMatchObject({ code: 'UPSTREAM_UNREACHABLE' });
});
