// Answer projection: what of a backend's JSON answer reaches the model. Applied after redaction and
// before caching, so the cache holds the projected (smaller, masked) answer. JMESPath because it has a
// published specification and compliance suite, and operators know it from cloud CLIs (`--query`).
import { compile, type JSONValue, TreeInterpreter } from '@jmespath-community/jmespath';

/** The parsed expression (the library does not export its AST type by name). */
export type ExpressionNode = ReturnType<typeof compile>;

export interface ProjectionSpec {
  /** JMESPath expression evaluated against the answer. */
  readonly select?: string;
  /** Arrays longer than this are cut, with a note saying how many items were left out. */
  readonly maxItems?: number;
  /** Text longer than this is cut, with a marker saying how much was left out. */
  readonly maxChars?: number;
  /** Drop null, empty strings, empty arrays and empty objects. */
  readonly dropEmpty?: boolean;
}

export interface Projection {
  readonly spec: ProjectionSpec;
  readonly ast?: ExpressionNode;
  /** Projects a parsed JSON answer; notes say what was cut. */
  apply(value: unknown): { value: unknown; notes: string[] };
  /** Cuts text to maxChars with a marker. */
  cutText(text: string): string;
}

/** Compiles a projection once per tool; throws a message naming the problem for a bad expression. */
export function compileProjection(spec: ProjectionSpec): Projection {
  let ast: ExpressionNode | undefined;
  if (spec.select !== undefined) {
    try {
      ast = compile(spec.select);
    } catch (e) {
      throw new Error(`invalid JMESPath expression ${JSON.stringify(spec.select)}: ${(e as Error).message}`);
    }
  }
  const cutText = (text: string) => (spec.maxChars !== undefined ? truncateText(text, spec.maxChars) : text);
  return {
    spec,
    ...(ast && { ast }),
    cutText,
    apply(value) {
      const notes: string[] = [];
      let out = ast ? TreeInterpreter.search(ast, value as JSONValue) : value;
      if (spec.dropEmpty) out = dropEmpty(out) ?? null;
      if (spec.maxItems !== undefined) out = capArrays(out, spec.maxItems, '$', notes);
      return { value: out, notes };
    },
  };
}

export const TRUNCATION_MARKER = '[truncated by Nexus:';

export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}\n${TRUNCATION_MARKER} showed ${max} of ${text.length} characters]`;
}

function isEmpty(v: unknown): boolean {
  if (v === null || v === undefined || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === 'object' && Object.keys(v as object).length === 0;
}

function dropEmpty(v: unknown): unknown {
  if (Array.isArray(v)) {
    const out = v.map(dropEmpty).filter((x) => !isEmpty(x));
    return out;
  }
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const y = dropEmpty(x);
      if (!isEmpty(y)) out[k] = y;
    }
    return out;
  }
  return v;
}

function capArrays(v: unknown, max: number, path: string, notes: string[]): unknown {
  if (Array.isArray(v)) {
    const kept = v.length > max ? v.slice(0, max) : v;
    if (v.length > max) notes.push(`${path}: showing ${max} of ${v.length} items (${v.length - max} left out)`);
    return kept.map((x, i) => capArrays(x, max, `${path}[${i}]`, notes));
  }
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = capArrays(x, max, `${path}.${k}`, notes);
    return out;
  }
  return v;
}
