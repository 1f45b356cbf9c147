// `nexus tools import-openapi SPEC --out DIR`: an OpenAPI / Swagger document -> one reviewed tool file.
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { parseCommandArgs } from '../config/config.ts';
import { NexusError } from '../errors.ts';
import { emitToolFile } from '../importer/emit.ts';
import { type ImportResult, importOpenApi } from '../importer/importer.ts';
import { loadSpec } from '../importer/load.ts';
import type { Command } from './command.ts';

const FLAGS = {
  out: { type: 'string' },
  'base-url': { type: 'string' },
  include: { type: 'string', multiple: true },
  operations: { type: 'string', multiple: true },
  auth: { type: 'string' },
  force: { type: 'boolean' },
} as const;

const many = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const one = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export const importOpenApiCommand: Command = {
  name: 'tools import-openapi',
  help: `Usage: nexus tools import-openapi SPEC --out DIR [--base-url URL] [--include tag:NAME|path:GLOB]
                                   [--operations ID,ID] [--auth CREDENTIAL] [--force]

Reads SPEC (a file or an http(s) URL; JSON or YAML; OpenAPI 3.0, 3.1 or Swagger 2.0), resolves
local $refs and writes one tool per operation to DIR/<api-title>.yaml. JSON, form-urlencoded and
multipart (text and JSON parts) bodies are imported. Everything that cannot be imported faithfully
(file uploads, other media types, cookie parameters, callbacks, webhooks, some auth schemes) is
listed as a warning and skipped; the summary counts skipped operations by reason. When no operation
can be imported nothing is written and the exit code is 1.

  --out DIR           directory to write the tool file to (required)
  --base-url URL      backend base URL (default: the document's first server / host + basePath)
  --include FILTER    only operations with this tag (tag:issues) or path (path:/pets*);
                      repeatable, or a comma list
  --operations IDS    only these operationIds (or generated tool names); a comma list
  --auth CREDENTIAL   vault credential name for the auth blocks
                      (default: <api-title>-<scheme name>)
  --force             overwrite an existing file

Example:
  nexus tools import-openapi https://api.example.com/openapi.json --out ./tools --include tag:planets`,
  async run(io) {
    const { values, positionals } = parseCommandArgs(io.argv, FLAGS, []);
    if (positionals.length !== 1) throw new NexusError('INVALID_INPUT', 'usage: nexus tools import-openapi SPEC --out DIR (see --help)');
    const outDir = one(values.out);
    if (!outDir) throw new NexusError('INVALID_INPUT', '--out DIR is required');
    const spec = await loadSpec(positionals[0]!);
    const baseUrl = one(values['base-url']);
    const auth = one(values.auth);
    const result = importOpenApi(spec, {
      ...(baseUrl !== undefined && { baseUrl }),
      ...(auth !== undefined && { auth }),
      include: many(values.include),
      operations: many(values.operations),
    });
    const kind = `${spec.version === '2.0' ? 'Swagger' : 'OpenAPI'} ${spec.version}`;
    const summary = skippedSummary(result);
    if (!result.file.tools.length) {
      const lines = [`nothing written: none of the ${result.operations} operation(s) of ${spec.source} (${kind}) can be imported`];
      lines.push(...summary, '', `${result.warnings.length} warning(s):`, ...result.warnings.map((w) => `  - ${w}`));
      io.stderr(`${lines.join('\n')}\n`);
      return 1;
    }
    const yaml = emitToolFile(result.file, {
      source: spec.source,
      title: result.title,
      ...(result.apiVersion && { apiVersion: result.apiVersion }),
      specVersion: spec.version,
      generatedAt: new Date(),
      credentials: result.credentials,
    });
    const file = join(outDir, `${result.slug}.yaml`);
    await writeAtomically(file, yaml, values.force === true);

    const lines = [`${result.file.tools.length} tool(s) written to ${file} (${result.title}, ${kind})`, ...summary];
    if (result.warnings.length) lines.push('', `${result.warnings.length} warning(s):`, ...result.warnings.map((w) => `  - ${w}`));
    if (result.credentials.size) {
      lines.push('', 'Store the credentials the auth blocks name:');
      for (const [name, type] of result.credentials) lines.push(`  nexus vault put ${name} --type ${type} < secret.json`);
    }
    lines.push('', `Next: review ${file}, then run: nexus check --tools ${outDir}`);
    io.stdout(`${lines.join('\n')}\n`);
    return 0;
  },
};

/** Temp file + rename: a reader (or the hot reloader) never sees half a file. */
async function writeAtomically(file: string, text: string, force: boolean): Promise<void> {
  const dir = join(file, '..');
  await mkdir(dir, { recursive: true });
  if (!force && (await stat(file).catch(() => undefined))) {
    throw new NexusError('CONFLICT', `${file} already exists; pass --force to overwrite it`);
  }
  // a dot-name the tools loader skips, so a crash mid-write leaves nothing it would load
  const tmp = join(dir, `.${randomBytes(6).toString('hex')}.import.tmp`);
  const handle = await open(tmp, 'wx', 0o644);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
    await handle.close();
    await rename(tmp, file);
  } catch (e) {
    await handle.close().catch(() => {});
    await unlink(tmp).catch(() => {});
    throw e;
  }
}

/** `N of M operation(s) skipped:` and a line per reason with its count; nothing when none was. */
function skippedSummary(result: ImportResult): string[] {
  const total = result.skipped.reduce((n, [, c]) => n + c, 0);
  if (!total) return [];
  const width = String(result.skipped[0]![1]).length;
  return [
    `${total} of ${result.operations} operation(s) skipped:`,
    ...result.skipped.map(([reason, n]) => `  ${String(n).padStart(width)}  ${reason}`),
  ];
}
