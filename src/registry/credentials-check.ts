// `nexus check`'s last step: every credential a tool's auth block names must be in the vault, of the
// type the block needs. Pure: the caller passes a metadata lookup (no master key, no secret read).
import type { ToolSpec } from './spec.ts';
import type { Issue } from './yaml-file.ts';

/** What the vault knows about a name: its type, counting per-principal versions; undefined if absent. */
export type CredentialLookup = (name: string) => Promise<{ readonly type: string } | undefined>;

/** The distinct credential names the tools use, in declaration order. */
export const credentialNames = (tools: readonly ToolSpec[]): string[] => [
  ...new Set(tools.flatMap((t) => (t.auth ? [t.auth.credential] : []))),
];

/**
 * One issue per tool whose credential is missing or of another type, at the tool's line. Tools are
 * expected as loaded from a directory without issues, in declaration order (that gives `tools[i]`).
 */
export async function credentialIssues(tools: readonly ToolSpec[], lookup: CredentialLookup): Promise<Issue[]> {
  const found = new Map<string, Promise<{ readonly type: string } | undefined>>();
  const perFile = new Map<string, number>();
  const issues: Issue[] = [];
  for (const t of tools) {
    const index = perFile.get(t.source.file) ?? 0;
    perFile.set(t.source.file, index + 1);
    if (!t.auth) continue;
    const name = t.auth.credential;
    if (!found.has(name)) found.set(name, lookup(name));
    const cred = await found.get(name)!;
    const message = !cred
      ? `credential "${name}" is not in the vault`
      : cred.type !== t.auth.type
        ? `credential "${name}" is a ${cred.type} credential, the tool needs ${t.auth.type}`
        : undefined;
    if (message) issues.push({ file: t.source.file, line: t.source.line, path: `tools[${index}].auth.credential`, message });
  }
  return issues;
}
