// `--include tag:NAME|path:GLOB` and `--operations ID,ID`: which operations become tools.
import { NexusError } from '../errors.ts';
import { matcher } from '../util/glob.ts';
import type { Operation } from './types.ts';

export interface Selector {
  selects(op: Operation, toolName: string): boolean;
  /** `--operations` names that matched nothing (after every operation was offered). */
  unmatched(): string[];
}

const list = (values: readonly string[]): string[] =>
  values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);

export function createSelector(include: readonly string[] = [], operations: readonly string[] = []): Selector {
  const tags = new Set<string>();
  const paths: string[] = [];
  for (const item of list(include)) {
    const m = /^(tag|path):(.+)$/.exec(item);
    if (!m) throw new NexusError('INVALID_INPUT', `--include "${item}": expected tag:NAME or path:GLOB`);
    if (m[1] === 'tag') tags.add(m[2]!.toLowerCase());
    else paths.push(m[2]!);
  }
  const wanted = new Set(list(operations));
  const seen = new Set<string>();
  const pathMatch = paths.length ? matcher(paths) : () => false;
  const everything = !tags.size && !paths.length && !wanted.size;
  return {
    selects(op, toolName) {
      if (everything) return true;
      const byName = [op.operationId, toolName].filter((n): n is string => n !== undefined && wanted.has(n));
      for (const n of byName) seen.add(n);
      return byName.length > 0 || op.tags.some((t) => tags.has(t.toLowerCase())) || pathMatch(op.path);
    },
    unmatched: () => [...wanted].filter((n) => !seen.has(n)),
  };
}
