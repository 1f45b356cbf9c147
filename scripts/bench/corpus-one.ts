// Child of corpus.ts: imports one document, writes the tool file, checks it; prints one JSON line of figures.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { emitToolFile } from '../../src/importer/emit.ts';
import { importOpenApi } from '../../src/importer/importer.ts';
import { loadSpec } from '../../src/importer/load.ts';
import { loadToolsDir } from '../../src/registry/load.ts';

const [file, outDir] = process.argv.slice(2) as [string, string];
const t0 = performance.now();
const spec = await loadSpec(file);
let result: ReturnType<typeof importOpenApi>;
try {
  result = importOpenApi(spec);
} catch (e) {
  console.log(JSON.stringify({ error: (e as Error).message.slice(0, 300), maxRssMb: process.resourceUsage().maxRSS / 1024 }));
  process.exit(0);
}
const yaml = emitToolFile(result.file, {
  source: file,
  title: result.title,
  specVersion: spec.version,
  generatedAt: new Date(),
  credentials: result.credentials,
});
const importMs = performance.now() - t0;
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, `${result.slug}.yaml`), yaml);
const t1 = performance.now();
const checked = loadToolsDir(outDir, { thorough: true });
const checkMs = performance.now() - t1;
const skipped = result.warnings.filter((w) => w.endsWith('operation skipped')).length;
console.log(
  JSON.stringify({
    importMs: Math.round(importMs),
    checkMs: Math.round(checkMs),
    tools: result.file.tools.length,
    skipped,
    warnings: result.warnings.length,
    yamlBytes: yaml.length,
    checkIssues: checked.issues.length,
    firstIssue: checked.issues[0]?.message.slice(0, 200),
    maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
