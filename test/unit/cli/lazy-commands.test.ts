// `nexus serve` loads only what serving needs: commands are imported when they run, so the static
// import graph of serve holds no doctor, importer or YAML tooling code, and no MCP client SDK.
import { expect, test } from 'bun:test';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const ROOT = join(import.meta.dir, '../../..');

/** Files and packages reachable from `entry` through value imports (not `import type`, not import()). */
function staticGraph(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    const rel = relative(ROOT, file);
    if (seen.has(rel)) return;
    seen.add(rel);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^(?:import|export)\s+(?!type\b)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm)) {
      const spec = m[1]!;
      if (spec.startsWith('.')) {
        const target = join(dirname(file), spec);
        if (existsSync(target) && target.endsWith('.ts')) visit(target);
        else seen.add(relative(ROOT, target));
      } else seen.add(`pkg:${spec}`);
    }
  };
  visit(join(ROOT, entry));
  return seen;
}

/** What serve loads before it listens: its own graph, and app.ts and server.ts it imports once the tool files are loaded. */
function serveGraph(): Set<string> {
  const text = readFileSync(join(ROOT, 'src/cli/serve.ts'), 'utf8');
  const later = [...text.matchAll(/import\('\.\.\/([^']+)'\)/g)].map((m) => `src/${m[1]}`);
  return new Set(['src/cli/serve.ts', ...later].flatMap((entry) => [...staticGraph(entry)]));
}

test('the CLI router imports no command statically', () => {
  const graph = [...staticGraph('src/main.ts')];
  expect(graph.filter((f) => f.startsWith('src/cli/') && !['src/cli/index.ts', 'src/cli/command.ts'].includes(f))).toEqual([]);
});

test('serve does not load doctor, the OpenAPI importer, other commands or the YAML package', () => {
  const graph = [...serveGraph()];
  expect(graph).toContain('src/app.ts');
  expect(graph).toContain('src/server.ts');
  const unwanted = graph.filter(
    (f) =>
      f.startsWith('src/importer/') ||
      (f.startsWith('src/cli/') && !['src/cli/serve.ts', 'src/cli/command.ts', 'src/cli/help.ts'].includes(f)) ||
      f === 'pkg:yaml',
  );
  expect(unwanted).toEqual([]);
});

test('serve does not load the MCP client SDK: it loads with the first federated server', () => {
  const graph = [...serveGraph()];
  expect(graph).toContain('src/upstream/pool.ts');
  expect(graph.filter((f) => f.startsWith('pkg:@modelcontextprotocol/client') || f === 'src/upstream/runtime.ts')).toEqual([]);
});

test('serve loads the tool files before Elysia and the MCP SDK (their parse garbage is memory those modules reuse)', () => {
  const graph = [...staticGraph('src/cli/serve.ts')];
  expect(graph).toContain('src/registry/initial.ts');
  expect(graph.filter((f) => f === 'pkg:elysia' || f.startsWith('pkg:@modelcontextprotocol/'))).toEqual([]);
});
