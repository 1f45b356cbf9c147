// Catalogue sizes and answer projection, measured: `bun scripts/bench/catalogue.ts`. Imports GitHub's
// official OpenAPI document (npm @octokit/openapi), prints tools/list sizes of the whole catalogue, a
// 20-tool set (plain and compacted) and discovery; bytes per answer before/after projection on
// GitHub's documented example pages and on the bundled example tools; and discovery search ranks.
// With --write the same text goes to docs/benchmarks-catalogue.md (`npm run bench:catalogue`).
// Then what the catalogue costs the gateway (catalogue-cost.ts): check and start-up CPU and wall, idle
// RSS and tools/list bytes, for the GitHub import and 1,000 generated tools; `--base DIR` measures
// another checkout alongside (alternating rounds), `--rounds N` (default 3), `--no-cost` skips it.
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ANONYMOUS } from '../../src/caller.ts';
import { assembleCatalogue } from '../../src/catalogue/catalogue.ts';
import { discoveryPipeline } from '../../src/catalogue/discovery.ts';
import { compileProjection } from '../../src/catalogue/projection.ts';
import { buildSearchIndex } from '../../src/catalogue/search.ts';
import { listStats } from '../../src/catalogue/stats.ts';
import { resolveToolset } from '../../src/catalogue/toolsets.ts';
import { importOpenApiCommand } from '../../src/cli/import-openapi.ts';
import { loadToolsDir } from '../../src/registry/load.ts';
import type { JsonObject } from '../../src/registry/spec.ts';
import { toolByRequest, triageTools } from '../../test/fixtures/github/triage.ts';
import { tempDir } from '../../test/helpers/gateway.ts';
import { startDemoBackend } from '../demo-backend.ts';
import { COST_HEADER, costRow, measureCost } from './catalogue-cost.ts';
import { writeManyTools } from './nexus.ts';
import { NEXUS_BUILD } from './proc.ts';

const root = join(import.meta.dir, '../..');
const SPEC = join(root, 'node_modules/@octokit/openapi/generated/api.github.com.json');
const spec = JSON.parse(readFileSync(SPEC, 'utf8'));
const out: string[] = [];
const print = (line: string) => {
  out.push(line);
  console.log(line);
};
const kb = (n: number) => (n < 1024 ? `${n} B` : `${(n / 1024).toFixed(1)} KB`);

const dir = tempDir('nexus-bench-gh-');
const t0 = performance.now();
await importOpenApiCommand.run({ argv: [SPEC, '--out', dir], env: {}, stdout: () => {}, stderr: () => {}, stdin: async () => '' });
const importMs = performance.now() - t0;
const { tools } = loadToolsDir(dir);
const by = (m: string, p: string) => toolByRequest(tools, m, p);

const TRIAGE = triageTools(tools);
const set = (decl: Record<string, unknown>) =>
  resolveToolset({ decl: { name: 'triage', include: TRIAGE, ...decl }, source: { file: '-', line: 0 } }, tools);

print(`## Catalogue sizes (GitHub import: ${tools.length} tools, imported in ${Math.round(importMs)} ms)\n`);
print('| endpoint | tools | tools/list | ~tokens |\n|---|--:|--:|--:|');
const row = (name: string, s: ReturnType<typeof listStats>) =>
  print(`| ${name} | ${s.tools} | ${kb(s.bytes)} | ${s.approxTokens.toLocaleString('en')} |`);
row('/mcp (everything)', listStats(tools));
row('20-tool set, as imported', listStats(set({}).tools));
row('20-tool set, output_schemas: false', listStats(set({ output_schemas: false }).tools));
row('20-tool set, + max_description_chars: 200', listStats(set({ output_schemas: false, max_description_chars: 200 }).tools));
const all = assembleCatalogue(tools, { toolsets: [], overrides: [] }).tools;
const discovery = discoveryPipeline({ visibleTools: () => all, call: () => Promise.reject(new Error('not called')) });
row(`discovery (search over ${all.length})`, listStats(discovery.visibleTools(ANONYMOUS)));
print('');

print('## Answer projection: bytes per answer\n');
print('| answer | projection | raw | projected | ratio |\n|---|---|--:|--:|--:|');
const project = (label: string, raw: unknown, select: string, maxItems?: number) => {
  const p = compileProjection({ select, ...(maxItems && { maxItems }) });
  const a = Buffer.byteLength(JSON.stringify(raw));
  const b = Buffer.byteLength(JSON.stringify(p.apply(raw).value));
  print(`| ${label} | \`${select}\`${maxItems ? ` (max_items ${maxItems})` : ''} | ${kb(a)} | ${kb(b)} | ${(a / b).toFixed(1)}x |`);
};
const page = (example: string, n = 30) => {
  const item = spec.components.examples[example].value[0];
  return Array.from({ length: n }, (_, i) => ({ ...item, id: item.id + i }));
};
project(
  'GitHub list repository issues (30)',
  page('issue-items'),
  '[].{number: number, title: title, state: state, user: user.login, labels: labels[].name, comments: comments}',
);
project(
  'GitHub list org repositories (30)',
  page('minimal-repository-items'),
  '[].{name: name, private: private, stars: stargazers_count, url: html_url}',
);
project(
  'GitHub list pull requests (30)',
  page('pull-request-simple-items'),
  '[].{number: number, title: title, state: state, user: user.login, head: head.ref}',
);
project(
  'GitHub list commits (30), first 10',
  page('commit-items'),
  '[].{sha: sha, message: commit.message, author: commit.author.name}',
  10,
);

const demo = startDemoBackend(0);
const search = await (await fetch(`http://127.0.0.1:${demo.port}/jira/rest/api/3/search`)).json();
const contacts = await (await fetch(`http://127.0.0.1:${demo.port}/crm/v1/contacts`)).json().catch(() => undefined);
project('bundled jira_search_issues', search, 'issues[].{key: key, summary: fields.summary, status: fields.status.name}');
if (contacts) project('bundled crm_find_contacts', contacts, 'contacts[].{name: name, email: email}');
demo.stop(true);

print('\n## Discovery search (rank of the expected tool among all GitHub tools)\n');
const index = buildSearchIndex(
  tools.map((t) => ({
    name: t.name,
    ...(t.title && { title: t.title }),
    description: t.description,
    parameters: Object.keys((t.inputSchema.properties as JsonObject) ?? {}),
  })),
);
print('| query | expected | rank |\n|---|---|--:|');
for (const [q, m, p] of [
  ['create an issue comment', 'POST', '/repos/{owner}/{repo}/issues/{issue_number}/comments'],
  ['list pull requests of a repository', 'GET', '/repos/{owner}/{repo}/pulls'],
  ['merge a pull request', 'PUT', '/repos/{owner}/{repo}/pulls/{pull_number}/merge'],
  ['star a repository', 'PUT', '/user/starred/{owner}/{repo}'],
  ['create a release', 'POST', '/repos/{owner}/{repo}/releases'],
  ['add labels to an issue', 'POST', '/repos/{owner}/{repo}/issues/{issue_number}/labels'],
] as const) {
  const want = by(m, p);
  const rank = index.search(q, 50).findIndex((h) => h.name === want) + 1;
  print(`| ${q} | \`${want}\` | ${rank || '> 50'} |`);
}
const s0 = performance.now();
for (let i = 0; i < 100; i++) index.search('create an issue comment', 5);
print(`\nsearch over ${index.size} tools: ${((performance.now() - s0) / 100).toFixed(2)} ms per query`);

const { values: args } = parseArgs({
  options: { write: { type: 'boolean' }, base: { type: 'string' }, rounds: { type: 'string' }, 'no-cost': { type: 'boolean' } },
});
if (!args['no-cost']) {
  const roots = [root, ...(args.base ? [args.base] : [])];
  const label = (r: string) => (r === root ? 'this checkout' : `--base ${r}`);
  const many = join(tempDir('nexus-bench-many-'), 'tools');
  writeManyTools(many, 1000, 'http://127.0.0.1:9');
  const load = loadavg()[0]!.toFixed(1);
  print('\n## What the catalogue costs the gateway\n');
  print(
    `Medians of ${args.rounds ?? 3} alternating rounds, each process pinned to one core; load average ${load} at the start (other work on the machine lengthens wall times; CPU is user+sys of the process). Start-up CPU is the process's CPU when /readyz first answers 200, on a fresh data dir (every file parsed and checked); the second start uses the same data dir, so unchanged files come from serve's start-up cache (src/registry/load-cache.ts; a checkout without it just starts again); idle RSS once two samples 200 ms apart agree within 1%.\n`,
  );
  print(`Nexus runs as ${NEXUS_BUILD}.\n`);
  print(COST_HEADER);
  for (const [name, toolsDir] of [
    [`GitHub import (${tools.length} tools)`, dir],
    ['1,000 generated tools', many],
  ] as const) {
    for (const r of await measureCost(toolsDir, roots, Number(args.rounds ?? 3))) print(costRow(`${name} · ${label(r.root)}`, r.sample));
  }
}

if (args.write) {
  const head = `# Catalogue benchmarks\n\nFrom \`npm run bench:catalogue\` (scripts/bench/catalogue.ts) on ${new Date().toISOString().slice(0, 10)}. Sizes and bytes are exact; the import, search, check and start-up times depend on the machine.\n\n`;
  writeFileSync(join(root, 'docs/benchmarks-catalogue.md'), `${head}${out.join('\n')}\n`);
}
