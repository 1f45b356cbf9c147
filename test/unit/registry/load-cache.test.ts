// Serve's start-up cache (load-cache.ts): a cached start loads exactly what an uncached one does, a
// changed file is checked again with identical issues, a corrupt entry is ignored, and `nexus check`
// (thorough) never reads the cache.
import { expect, test } from 'bun:test';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type LoadOptions, loadToolsDir } from '../../../src/registry/load.ts';
import { fileLoadCache, WRITE_DELAY_MS } from '../../../src/registry/load-cache.ts';
import { formatIssue } from '../../../src/registry/yaml-file.ts';
import { tempDir, toolsDir } from '../../helpers/files.ts';

const FILE = `backend:
  base_url: \${env:NEXUS_TEST_CACHE_URL:-http://api.local}
tools:
  - name: get_item
    description: "  One item.  "
    input:
      type: object
      properties:
        id: { type: string, pattern: "^[a-z]+$" }
      required: [id]
    output: { type: object, properties: { name: { type: string } } }
    request: { method: GET, path: "/items/{id}" }
    response: { select: "{name: name}" }
`;
const PLAIN = FILE.replace('${env:NEXUS_TEST_CACHE_URL:-http://api.local}', 'http://plain.local');
const BAD_SCHEMA = PLAIN.replace('type: string, pattern', 'type: strung, pattern');

// entries are written a moment after the load (WRITE_DELAY_MS): flush writes them at once
const loaded = (dir: string, opts: LoadOptions = {}) => {
  const r = loadToolsDir(dir, { env: {}, ...opts });
  opts.cache?.flush();
  return { tools: JSON.stringify(r.tools), issues: r.issues.map(formatIssue) };
};
const entries = (cacheDir: string) => readdirSync(cacheDir).filter((n) => n.endsWith('.json'));

test('a cached start loads what an uncached one does, with and without ${env:...}', () => {
  for (const text of [FILE, PLAIN]) {
    const dir = toolsDir({ 'a.yaml': text });
    const cacheDir = tempDir();
    const plain = loaded(dir);
    expect(plain.issues).toEqual([]);
    expect(loaded(dir, { cache: fileLoadCache(cacheDir) })).toEqual(plain); // miss: writes the entry
    expect(entries(cacheDir)).toHaveLength(1);
    expect(loaded(dir, { cache: fileLoadCache(cacheDir) })).toEqual(plain); // hit
  }
});

test('a file with ${env:...} is interpolated with the environment of this start, not the cached one', () => {
  const dir = toolsDir({ 'a.yaml': FILE });
  const cacheDir = tempDir();
  loaded(dir, { cache: fileLoadCache(cacheDir) });
  const r = loadToolsDir(dir, { env: { NEXUS_TEST_CACHE_URL: 'http://other.local' }, cache: fileLoadCache(cacheDir) });
  expect(r.tools[0]!.backend.baseUrl.href).toBe('http://other.local/');
});

test('a changed file is checked again: same issues as without the cache, old entry pruned', () => {
  const dir = toolsDir({ 'a.yaml': PLAIN });
  const cacheDir = tempDir();
  loaded(dir, { cache: fileLoadCache(cacheDir) });
  const before = entries(cacheDir);
  writeFileSync(join(dir, 'a.yaml'), BAD_SCHEMA);
  const uncached = loaded(dir);
  expect(uncached.issues.length).toBeGreaterThan(0);
  expect(loaded(dir, { cache: fileLoadCache(cacheDir) })).toEqual(uncached);
  // a file with issues is never cached
  expect(entries(cacheDir)).toEqual(before);
  writeFileSync(join(dir, 'a.yaml'), FILE);
  loaded(dir, { cache: fileLoadCache(cacheDir) });
  expect(entries(cacheDir)).toHaveLength(1);
  expect(entries(cacheDir)).not.toEqual(before);
});

test('a corrupt or foreign entry is ignored', () => {
  const dir = toolsDir({ 'a.yaml': PLAIN });
  const cacheDir = tempDir();
  const plain = loaded(dir);
  loaded(dir, { cache: fileLoadCache(cacheDir) });
  const [name] = entries(cacheDir);
  for (const junk of ['{"key":', '{"key":"0000","checked":true,"value":{}}', '[]']) {
    writeFileSync(join(cacheDir, name!), junk);
    expect(loaded(dir, { cache: fileLoadCache(cacheDir) })).toEqual(plain);
  }
});

test('nexus check (thorough) never reads the cache', () => {
  const dir = toolsDir({ 'a.yaml': BAD_SCHEMA });
  const cacheDir = tempDir();
  // an entry claiming the broken file was checked: only a thorough load must still see its issues
  const cache = fileLoadCache(cacheDir);
  cache.put(cache.keyOf(BAD_SCHEMA), { checked: true, value: { tools: [] } });
  cache.flush();
  expect(loaded(dir, { cache: fileLoadCache(cacheDir) }).issues).toEqual([]);
  expect(loaded(dir, { thorough: true, cache: fileLoadCache(cacheDir) }).issues).toEqual(loaded(dir).issues);
  expect(readFileSync(join(cacheDir, entries(cacheDir)[0]!), 'utf8')).toContain('"checked":true');
});

test('the cache is private to the service user: directory 0700, entries 0600', () => {
  const dir = toolsDir({ 'a.yaml': PLAIN });
  const cacheDir = join(tempDir(), 'catalogue-cache');
  loaded(dir, { cache: fileLoadCache(cacheDir) });
  expect((statSync(cacheDir).mode & 0o777).toString(8)).toBe('700');
  for (const name of entries(cacheDir)) expect((statSync(join(cacheDir, name)).mode & 0o777).toString(8)).toBe('600');
  expect(entries(cacheDir)).toHaveLength(1);
});

test("a file's bytes and its text have one key: a start reads bytes and never decodes a hit", () => {
  const cache = fileLoadCache(tempDir());
  const text = `${PLAIN}# ünïcode\n`;
  expect(cache.keyOf(Buffer.from(text, 'utf8'))).toBe(cache.keyOf(text));
  expect(cache.keyOf(text)).not.toBe(cache.keyOf(PLAIN));
});

test('${env:...} only where nothing is interpolated (a description) is cached as checked', () => {
  const dir = toolsDir({ 'a.yaml': PLAIN.replace('"  One item.  "', '"Set ${env:NOT_READ} yourself."') });
  const cacheDir = tempDir();
  const plain = loaded(dir);
  expect(plain.issues).toEqual([]);
  expect(loaded(dir, { cache: fileLoadCache(cacheDir) })).toEqual(plain);
  expect(readFileSync(join(cacheDir, entries(cacheDir)[0]!), 'utf8')).toContain('"checked":true');
  expect(loaded(dir, { cache: fileLoadCache(cacheDir) })).toEqual(plain);
});

test('entries are written after the load, not during it: by the timer, or by flush', async () => {
  const dir = toolsDir({ 'a.yaml': PLAIN });
  const cacheDir = tempDir();
  const cache = fileLoadCache(cacheDir);
  const plain = loadToolsDir(dir, { env: {}, cache });
  expect(entries(cacheDir)).toEqual([]);
  await Bun.sleep(WRITE_DELAY_MS + 200);
  expect(entries(cacheDir)).toHaveLength(1);
  // what was written is what the load built: the tools made from it are the same
  expect(loaded(dir, { cache: fileLoadCache(cacheDir) }).tools).toEqual(JSON.stringify(plain.tools));
});

test('a value JSON cannot carry exactly (.nan) is not written', () => {
  const dir = toolsDir({ 'a.yaml': PLAIN.replace('required: [id]', 'required: [id]\n      x-limit: .nan') });
  const cacheDir = tempDir();
  const plain = loaded(dir);
  expect(plain.issues).toEqual([]);
  expect(loaded(dir, { cache: fileLoadCache(cacheDir) })).toEqual(plain);
  expect(entries(cacheDir)).toEqual([]);
});
