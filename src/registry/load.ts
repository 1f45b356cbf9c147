// Reads every *.yaml / *.yml under the tools dir into ToolSpecs, collecting every issue with its line.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { assembleCatalogue, type CatalogueDecl, mayBeFederated } from '../catalogue/catalogue.ts';
import type { OverrideSpec } from '../catalogue/overrides.ts';
import { type ToolsetSpec, toolsetProblems } from '../catalogue/toolsets.ts';
import { settingDefault } from '../config/settings.ts';
import { type Interpolation, interpolateEnv } from './interpolate.ts';
import type { CachedFile, CacheEntry, LoadCache } from './load-cache.ts';
import { fileShared, normaliseTool } from './normalise.ts';
import { type ToolFile, ToolFileSchema } from './schema.ts';
import { normaliseServer } from './server.ts';
import type { HttpToolSpec, ServerSpec, ToolSpec } from './spec.ts';
import { hasUniqueKeys } from './unique-keys.ts';
import { formatPath, type Issue, type ParsedYaml, type PathPart, parseYaml } from './yaml-file.ts';
import { plainIssues } from './zod-issues.ts';

export interface LoadResult {
  /** The tools as declared (overrides are applied by the registry, over every source). */
  readonly tools: HttpToolSpec[];
  readonly catalogue: CatalogueDecl;
  /** Federated MCP servers (`servers:`); their tools are listed at run time. */
  readonly servers: ServerSpec[];
  readonly issues: Issue[];
  /** What `nexus check` reports without failing (only a thorough load finds them). */
  readonly warnings: Issue[];
  readonly files: string[];
}

interface FileResult {
  tools: HttpToolSpec[];
  toolsets: ToolsetSpec[];
  overrides: OverrideSpec[];
  servers: ServerSpec[];
  issues: Issue[];
  warnings: Issue[];
}
const emptyFile = (issues: Issue[]): FileResult => ({ tools: [], toolsets: [], overrides: [], servers: [], issues, warnings: [] });

export interface LoadOptions {
  /** What `${env:NAME}` reads; default the process environment. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Default cap on a backend answer (NEXUS_MAX_RESPONSE_BYTES; default from the settings table). */
  readonly maxResponseBytes?: number;
  /** How file names appear in issues (default: relative to the current directory). */
  readonly displayRoot?: string;
  /**
   * `nexus check`: refuse duplicate keys and make sure every schema compiles (unique-keys.ts and
   * compile-proof.ts prove most of it without the slow parser or Ajv). Serving skips both (the last of
   * two equal keys wins; schemas compile on first call).
   */
  readonly thorough?: boolean;
  /**
   * Parse every file with the position-keeping YAML parser, so each tool's `source.line` is known. The
   * fast path (Bun.YAML) has no lines: without this, a file is parsed precisely only when it has
   * issues, and a whole dir when it has cross-file issues, to report their lines.
   */
  readonly precise?: boolean;
  /** Serve's start-up cache (load-cache.ts); ignored when thorough or precise. */
  readonly cache?: LoadCache;
}

export function listToolFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name.startsWith('.')) continue;
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (/\.ya?ml$/i.test(entry.name)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

export function loadToolsDir(dir: string, opts: LoadOptions = {}): LoadResult {
  let files: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a directory');
    files = listToolFiles(dir);
  } catch (e) {
    return {
      tools: [],
      catalogue: { toolsets: [], overrides: [] },
      servers: [],
      files: [],
      issues: [{ file: dir, line: 0, path: '', message: `cannot read tools directory: ${(e as Error).message}` }],
      warnings: [],
    };
  }
  const results = files.map((f) => loadToolFile(f, readFileSync(f), opts));
  const tools = results.flatMap((r) => r.tools);
  const issues = results.flatMap((r) => r.issues);
  const warnings = results.flatMap((r) => r.warnings);
  const seen = new Map<string, HttpToolSpec>();
  for (const t of tools) {
    const first = seen.get(t.name);
    if (first) {
      issues.push({
        file: t.source.file,
        line: t.source.line,
        path: 'name',
        message: `tool name "${t.name}" is already declared at ${first.source.file}:${first.source.line}`,
      });
    } else seen.set(t.name, t);
  }
  const catalogue: CatalogueDecl = { toolsets: results.flatMap((r) => r.toolsets), overrides: results.flatMap((r) => r.overrides) };
  issues.push(...catalogueIssues([...seen.values()], catalogue));
  const servers = results.flatMap((r) => r.servers);
  issues.push(...serverIssues(servers, [...seen.values()]));
  // the fast path has no line numbers: report any issue (or check's warning) from a precise pass
  if ((issues.length || (warnings.length && opts.thorough)) && !opts.precise)
    return loadToolsDir(dir, { ...opts, precise: true, thorough: true });
  if (!opts.thorough) opts.cache?.prune();
  return { tools: [...seen.values()], catalogue, servers, issues, warnings, files };
}

/** Tool-set and override problems, each at the line of its declaration. */
function catalogueIssues(tools: readonly ToolSpec[], catalogue: CatalogueDecl): Issue[] {
  const out: Issue[] = [];
  for (const p of toolsetProblems(catalogue.toolsets)) out.push({ ...p.spec.source, path: 'name', message: p.message });
  const assembled = assembleCatalogue(tools, catalogue);
  for (const p of assembled.problems) out.push({ ...p.override.source, path: 'overrides', message: p.message });
  for (const o of assembled.unmatched)
    if (!mayBeFederated(o.decl.tool)) out.push({ ...o.source, path: 'tool', message: `no tool named "${o.decl.tool}" to override` });
  return out;
}

/** One file: its text, or its bytes as read (UTF-8; decoded only when the slow parser needs the text). */
export function loadToolFile(path: string, source: string | Uint8Array, opts: LoadOptions = {}): FileResult {
  const text = () =>
    typeof source === 'string' ? source : Buffer.from(source.buffer, source.byteOffset, source.byteLength).toString('utf8');
  if (!opts.precise) {
    const cache = opts.thorough ? undefined : opts.cache;
    const key = cache?.keyOf(source);
    const hit = key === undefined ? undefined : cache?.get(key);
    const fast = hit ? { ok: true as const, value: hit.value } : fastParse(source);
    // check also refuses duplicate keys, which Bun.YAML lets through
    if (fast.ok && (!opts.thorough || hasUniqueKeys(text(), fast.value))) {
      let entry: CacheEntry | undefined;
      const result = buildFile(path, fast.value, undefined, opts, hit, key !== undefined && !hit ? (e) => (entry = e) : undefined);
      if (!result.issues.length) {
        if (entry && key !== undefined) cache?.put(key, entry);
        return result;
      }
    }
  }
  return buildFile(path, undefined, parseYaml(relative(opts.displayRoot ?? process.cwd(), path) || path, text()), opts);
}

// Bun.YAML reads UTF-8 bytes as it reads their decoded text (a BOM or an invalid byte alike)
function fastParse(source: string | Uint8Array): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: Bun.YAML.parse(source as string) };
  } catch {
    return { ok: false };
  }
}

function buildFile(
  path: string,
  fastValue: unknown,
  precise: ParsedYaml | undefined,
  opts: LoadOptions,
  cached?: CachedFile,
  toCache?: (entry: CacheEntry) => void,
): FileResult {
  const file = relative(opts.displayRoot ?? process.cwd(), path) || path;
  const parsed: Pick<ParsedYaml, 'value' | 'lineOf' | 'issues'> = precise ?? { value: fastValue, issues: [], lineOf: () => 0 };
  if (parsed.issues.length) return emptyFile(parsed.issues);
  const issues: Issue[] = [];
  const push = (path: PathPart[], message: string, atKey = false) =>
    issues.push({ file, line: parsed.lineOf(path, atKey), path: formatPath(path), message });
  const warnings: Issue[] = [];
  const warn = (path: PathPart[], message: string) => warnings.push({ file, line: parsed.lineOf(path), path: formatPath(path), message });
  if (parsed.value === null || parsed.value === undefined) return emptyFile(issues); // an empty file declares nothing

  let data: ToolFile;
  if (cached?.checked) data = cached.value as ToolFile;
  else {
    const seen: Interpolation = { problems: [], refs: 0 };
    // documented exception to "settings come from Config": ${env:NAME} in tool files reads the environment
    const value = interpolateEnv(parsed.value, opts.env ?? process.env, seen);
    for (const p of seen.problems) push(p.path, p.message);

    // jitless: a load parses each object schema a few thousand times at most, less than zod's compiled
    // fast path costs to build (GitHub import, cold: ~10% of this parse)
    const result = ToolFileSchema.safeParse(value, { jitless: true });
    if (!result.success) {
      for (const i of plainIssues(result.error, value)) push(i.path, i.message, i.atKey);
      return emptyFile(issues);
    }
    if (seen.problems.length) return emptyFile(issues);
    data = result.data;
    // a file that interpolates nothing is cached as zod made it; one that does, as parsed (zod runs again)
    toCache?.({ checked: seen.refs === 0, value: seen.refs ? parsed.value : data });
  }
  const tools: HttpToolSpec[] = [];
  const shared = fileShared();
  (data.tools ?? []).forEach((decl, index) => {
    const spec = normaliseTool(decl, data, {
      file,
      index,
      line: parsed.lineOf(['tools', index, 'name']),
      maxResponseBytes: opts.maxResponseBytes ?? Number(settingDefault('maxResponseBytes')),
      thorough: opts.thorough ?? false,
      schemasChecked: cached !== undefined,
      problem: (p, m) => push(p, m),
      warning: warn,
      shared,
    });
    if (spec) tools.push(spec);
  });
  const toolsets = (data.toolsets ?? []).map((decl, i) => ({
    decl,
    source: { file, line: parsed.lineOf(['toolsets', i, 'name']) },
  }));
  const overrides = (data.overrides ?? []).map((decl, i) => ({
    decl,
    source: { file, line: parsed.lineOf(['overrides', i, 'tool']) },
  }));
  const servers: ServerSpec[] = [];
  (data.servers ?? []).forEach((decl, index) => {
    const spec = normaliseServer(decl, {
      file,
      index,
      line: parsed.lineOf(['servers', index, 'name']),
      maxResponseBytes: opts.maxResponseBytes ?? Number(settingDefault('maxResponseBytes')),
      problem: (p, m) => push(p, m),
    });
    if (spec) servers.push(spec);
  });
  return { tools, toolsets, overrides, servers, issues, warnings };
}

/** Server names and namespaces are unique, and no file tool sits in a server's namespace. */
function serverIssues(servers: readonly ServerSpec[], tools: readonly HttpToolSpec[]): Issue[] {
  const issues: Issue[] = [];
  const byName = new Map<string, ServerSpec>();
  const byPrefix = new Map<string, ServerSpec>();
  const byResourcePrefix = new Map<string, ServerSpec>();
  const at = (s: ServerSpec) => `${s.source.file}:${s.source.line}`;
  for (const s of servers) {
    const issue = (message: string) => issues.push({ file: s.source.file, line: s.source.line, path: 'name', message });
    const sameName = byName.get(s.name);
    const samePrefix = byPrefix.get(s.prefix);
    if (sameName) issue(`server "${s.name}" is already declared at ${at(sameName)}`);
    else if (samePrefix) issue(`server "${s.name}" uses the namespace "${s.prefix}" of server "${samePrefix.name}" at ${at(samePrefix)}`);
    byName.set(s.name, sameName ?? s);
    byPrefix.set(s.prefix, samePrefix ?? s);
    if (s.resourcePrefix === undefined) continue;
    const sameResources = byResourcePrefix.get(s.resourcePrefix);
    if (sameResources)
      issues.push({
        file: s.source.file,
        line: s.source.line,
        path: 'resource_prefix',
        message: `server "${s.name}" uses the resource_prefix "${s.resourcePrefix}" of server "${sameResources.name}" at ${at(sameResources)}`,
      });
    else byResourcePrefix.set(s.resourcePrefix, s);
  }
  for (const t of tools) {
    const ns = t.name.includes('__') ? byPrefix.get(t.name.slice(0, t.name.indexOf('__')) || '\0') : undefined;
    if (ns) {
      issues.push({
        file: t.source.file,
        line: t.source.line,
        path: 'name',
        message: `tool name "${t.name}" is in the namespace of server "${ns.name}" at ${at(ns)}`,
      });
    }
  }
  return issues;
}
