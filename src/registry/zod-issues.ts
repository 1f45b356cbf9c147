// Turns zod issues into one-line, human messages (`expected one of GET, POST, ...`).
import type { z } from 'zod';
import type { PathPart } from './yaml-file.ts';

export interface PlainIssue {
  readonly path: PathPart[];
  readonly message: string;
  /** The issue is about a key (unknown key): point at the key's line. */
  readonly atKey?: boolean;
}

const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

export function plainIssues(error: z.ZodError, input: unknown): PlainIssue[] {
  const out: PlainIssue[] = [];
  const visit = (issues: readonly z.core.$ZodIssue[], base: PathPart[]) => {
    for (const issue of issues) {
      const path = [...base, ...(issue.path as PathPart[])];
      switch (issue.code) {
        case 'unrecognized_keys':
          for (const k of issue.keys) out.push({ path: [...path, k], message: `unknown key "${k}"`, atKey: true });
          break;
        case 'invalid_value':
          out.push({ path, message: `expected one of ${issue.values.map(String).join(', ')}` });
          break;
        case 'invalid_type': {
          const actual = typeOf(valueAt(input, path));
          out.push({
            path,
            message: actual === 'undefined' ? `required ${issue.expected} is missing` : `expected ${issue.expected}, got ${actual}`,
          });
          break;
        }
        case 'invalid_union': {
          // discriminated unions report a bad discriminator; plain unions: show the first branch's issues
          if (issue.errors.length && issue.errors[0]!.length) visit(issue.errors[0]!, path);
          else out.push({ path, message: issue.message });
          break;
        }
        default:
          out.push({ path, message: issue.message });
      }
    }
  };
  visit(error.issues, []);
  return out;
}

function valueAt(root: unknown, path: readonly PathPart[]): unknown {
  let cur: unknown = root;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PathPart, unknown>)[p];
  }
  return cur;
}
