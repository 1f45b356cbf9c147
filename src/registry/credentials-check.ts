// `nexus check`'s last step: every credential a tool's auth block names must be in the vault, of the
// type the block needs. Pure: the caller passes a metadata lookup (no master key, no secret read).
import type { ServerSpec, ToolSpec } from './spec.ts';
import type { Issue } from './yaml-file.ts';

/** What the vault knows about a name: its type, counting per-principal versions; undefined if absent. */
export type CredentialLookup = (name: string) => Promise<{ readonly type: string } | undefined>;

/** The distinct credential names the tools (and federated servers) use, in declaration order. */
export const credentialNames = (tools: readonly ToolSpec[], servers: readonly ServerSpec[] = []): string[] => [
  ...new Set([...tools, ...servers].flatMap((t) => (t.auth ? [t.auth.credential] : []))),
];

/** The same check for the auth blocks of `servers:` entries, at each server's line. */
export async function serverCredentialIssues(servers: readonly ServerSpec[], lookup: CredentialLookup): Promise<Issue[]> {
  const perFile = new Map<string, number>();
  const issues: Issue[] = [];
  for (const s of servers) {
    const index = perFile.get(s.source.file) ?? 0;
    perFile.set(s.source.file, index + 1);
    if (!s.auth) continue;
    const cred = await lookup(s.auth.credential);
    const name = s.auth.credential;
    const message = !cred
      ? `credential "${name}" is not in the vault`
      : cred.type !== s.auth.type
        ? `credential "${name}" is a ${cred.type} credential, the server needs ${s.auth.type}`
        : undefined;
    if (message) issues.push({ file: s.source.file, line: s.source.line, path: `servers[${index}].auth.credential`, message });
  }
  return issues;
}

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
