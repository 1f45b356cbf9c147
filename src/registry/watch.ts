// Hot reload: watch the tools dir (and SIGHUP); a valid change is swapped in whole, an invalid one is
// logged issue by issue and the running set stays.
import { type FSWatcher, watch } from 'node:fs';
import type { Logger } from '../log.ts';
import { type LoadOptions, type LoadResult, loadToolsDir } from './load.ts';
import type { Registry } from './registry.ts';
import { formatIssue } from './yaml-file.ts';

export interface ReloadResult {
  readonly ok: boolean;
  readonly tools: number;
  readonly issues: string[];
}

export function reloadTools(
  dir: string,
  registry: Registry,
  log: Logger,
  opts: LoadOptions = {},
  onServers?: (servers: LoadResult['servers']) => void,
): ReloadResult {
  const started = performance.now();
  const { tools, catalogue, servers, issues } = loadToolsDir(dir, opts);
  if (issues.length) {
    const lines = issues.map(formatIssue);
    for (const line of lines) log.error('tool file issue', { issue: line });
    log.warn('tool reload rejected; the previous tool set stays active', { issues: issues.length });
    return { ok: false, tools: registry.current().tools.length, issues: lines };
  }
  const set = registry.replace(tools, catalogue);
  onServers?.(servers);
  log.info('tools loaded', {
    tools: tools.length,
    servers: servers.length,
    generation: set.generation,
    ms: Math.round(performance.now() - started),
  });
  return { ok: true, tools: tools.length, issues: [] };
}

/** Starts watching; returns a stop function. Changes are debounced so an editor's save is one reload. */
export function watchTools(dir: string, reload: () => void, log: Logger, debounceMs = 150): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(reload, debounceMs);
  };
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dir, { recursive: true }, (_event, file) => {
      if (!file || /\.ya?ml$/i.test(String(file)) || !String(file).includes('.')) schedule();
    });
    watcher.on('error', (e) => log.warn('tools watcher error; SIGHUP still reloads', { err: e }));
  } catch (e) {
    log.warn('cannot watch tools dir; reload with SIGHUP', { dir, err: e });
  }
  const onHup = () => {
    log.info('SIGHUP: reloading tools');
    reload();
  };
  process.on('SIGHUP', onHup);
  return () => {
    clearTimeout(timer);
    watcher?.close();
    process.off('SIGHUP', onHup);
  };
}
