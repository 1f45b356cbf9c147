// The tool files a start serves: the tools dir, or the embedded examples when the default ./tools does
// not exist (a bare binary). `serve` loads them before the HTTP and MCP modules: the garbage of the
// parse, once collected, is memory those modules then reuse (MIMALLOC_PURGE_DELAY=-1 keeps every page
// the process ever used), where loading them first added it on top (1,000 tools: ~10 MB idle RSS).
import { join } from 'node:path';
import type { Config, Env } from '../config/config.ts';
import { EXAMPLE_TOOL_FILES, servesBuiltInExamples } from './examples.ts';
import { type LoadOptions, type LoadResult, loadToolFile, loadToolsDir } from './load.ts';
import { fileLoadCache } from './load-cache.ts';

export interface InitialTools extends Pick<LoadResult, 'tools' | 'catalogue' | 'servers' | 'issues'> {
  /** How they were loaded; reloads load the same way. */
  readonly loadOpts: LoadOptions;
  /** The embedded examples are served (no ./tools directory). */
  readonly builtIn: boolean;
}

export function loadInitialTools(config: Config, env?: Env): InitialTools {
  const loadOpts: LoadOptions = {
    ...(env && { env }),
    maxResponseBytes: config.maxResponseBytes,
    cache: fileLoadCache(join(config.dataDir, 'catalogue-cache')),
  };
  if (servesBuiltInExamples(config.toolsDir)) {
    const results = Object.entries(EXAMPLE_TOOL_FILES).map(([name, text]) => loadToolFile(`(built-in)/${name}`, text, loadOpts));
    return {
      loadOpts,
      builtIn: true,
      tools: results.flatMap((r) => r.tools),
      catalogue: { toolsets: results.flatMap((r) => r.toolsets), overrides: results.flatMap((r) => r.overrides) },
      servers: results.flatMap((r) => r.servers),
      issues: results.flatMap((r) => r.issues),
    };
  }
  const { tools, catalogue, servers, issues } = loadToolsDir(config.toolsDir, loadOpts);
  return { loadOpts, builtIn: false, tools, catalogue, servers, issues };
}
