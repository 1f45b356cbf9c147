// Parses one YAML file, keeping positions so every later issue can name its line.
import type { Document, Node } from 'yaml';

// Loaded on first use: tool files normally parse with Bun.YAML (load.ts); this full parser, kept for
// line numbers and exact errors, would otherwise cost the idle server ~8 MB.
let yamlModule: typeof import('yaml') | undefined;
const yaml = () => (yamlModule ??= require('yaml') as typeof import('yaml'));

export interface Issue {
  readonly file: string;
  readonly line: number;
  /** Dotted path into the document, e.g. `tools[0].request.method`. */
  readonly path: string;
  readonly message: string;
}

export const formatIssue = (i: Issue) => `${i.file}:${i.line}${i.path ? ` ${i.path}` : ''}: ${i.message}`;

export type PathPart = string | number;

export const formatPath = (path: readonly PathPart[]) =>
  path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');

export interface ParsedYaml {
  readonly file: string;
  readonly value: unknown;
  /** Line of the node at `path` (or of its nearest existing ancestor). */
  lineOf(path: readonly PathPart[], key?: boolean): number;
  readonly issues: Issue[];
}

export function parseYaml(file: string, text: string): ParsedYaml {
  const { isMap, isSeq, LineCounter, parseDocument } = yaml();
  const lineCounter = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const lineAt = (offset: number) => lineCounter.linePos(offset).line;
  // one syntax error per line: the parser often reports a single mistake several ways
  const issues: Issue[] = [];
  for (const e of doc.errors) {
    const line = lineAt(e.pos[0]);
    if (!issues.some((i) => i.line === line)) issues.push({ file, line, path: '', message: e.message.split('\n')[0]! });
  }
  const lineOf = (path: readonly PathPart[], key = false): number => {
    for (let n = path.length; n >= 0; n--) {
      const sub = path.slice(0, n);
      if (key && n === path.length && n > 0) {
        const parent = sub.length > 1 ? doc.getIn(sub.slice(0, -1), true) : doc.contents;
        if (isMap(parent)) {
          const pair = parent.items.find((p) => (p.key as { value?: unknown } | null)?.value === sub[sub.length - 1]);
          const range = (pair?.key as Node | undefined)?.range;
          if (range) return lineAt(range[0]);
        }
        continue;
      }
      const node = (n === 0 ? doc.contents : doc.getIn(sub, true)) as Node | null | undefined;
      if (node && (node as Node).range) return lineAt((node as Node).range![0]);
      if (isSeq(node) || isMap(node)) return 1;
    }
    return 1;
  };
  const value = issues.length ? undefined : doc.toJS({ maxAliasCount: 100 });
  return { file, value, lineOf, issues };
}
