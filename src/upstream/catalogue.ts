// An upstream's tool list -> the tools Nexus serves: include/exclude, hide, namespaced names within
// ^[A-Za-z0-9_-]{1,64}$, the operator's description override and per-tool policy.
import { createHash } from 'node:crypto';
import { schemaProblems } from '../registry/arguments.ts';
import type { JsonObject, McpToolSpec, ServerSpec, UpstreamToolPolicySpec } from '../registry/spec.ts';
import { matcher } from '../util/glob.ts';

/** What an upstream's tools/list says of one tool (the SDK's Tool, as plain data). */
export interface UpstreamTool {
  readonly name: string;
  readonly title?: string;
  readonly description?: string;
  readonly inputSchema: JsonObject;
  readonly outputSchema?: JsonObject;
  readonly annotations?: JsonObject;
}

export const NAME_MAX = 64;
const SAFE = /[^A-Za-z0-9_-]/g;

/** `<prefix>__<name>` (the name alone for an empty prefix), unsafe characters as `_`, too long ones cut and made unique by a short hash. */
export function servedName(prefix: string, upstream: string, sep = '__'): string {
  const full = prefix ? `${prefix}${sep}${upstream}` : upstream;
  const name = full.replace(SAFE, '_');
  if (name.length <= NAME_MAX && name === full) return name;
  const hash = createHash('sha256').update(upstream).digest('hex').slice(0, 8);
  return name.length <= NAME_MAX ? `${name.slice(0, NAME_MAX - 9)}_${hash}`.slice(0, NAME_MAX) : `${name.slice(0, NAME_MAX - 9)}_${hash}`;
}

/** The effective policy of an upstream tool: every matching entry in order, later ones winning. */
export function policyOf(server: ServerSpec, tool: string): UpstreamToolPolicySpec {
  let out: UpstreamToolPolicySpec = {};
  for (const { pattern, policy } of server.policies) if (matcher([pattern])(tool)) out = { ...out, ...policy };
  return out;
}

export function serves(server: ServerSpec, tool: string): boolean {
  if (server.include && !matcher(server.include)(tool)) return false;
  if (server.exclude && matcher(server.exclude)(tool)) return false;
  return !policyOf(server, tool).hide;
}

/** Keywords of other JSON Schema drafts that Nexus's 2020-12 validator would reject or misread. */
function portableSchema(schema: JsonObject): JsonObject {
  const { $schema, ...rest } = schema;
  return typeof $schema === 'string' && !$schema.includes('2020-12') ? rest : schema;
}

/** The served tools, and the upstream tools left out because their schema cannot be used to validate. */
export function toToolSpecs(server: ServerSpec, tools: readonly UpstreamTool[]): { tools: McpToolSpec[]; unusable: string[] } {
  const out: McpToolSpec[] = [];
  const unusable: string[] = [];
  for (const t of tools) {
    if (!serves(server, t.name)) continue;
    const input = portableSchema(t.inputSchema ?? { type: 'object' });
    if (input.type !== 'object' || schemaProblems(input, true).length) {
      unusable.push(t.name);
      continue;
    }
    const p = policyOf(server, t.name);
    const title = p.title ?? t.title;
    out.push({
      kind: 'mcp',
      name: servedName(server.prefix, t.name),
      ...(title !== undefined && { title }),
      description: p.description ?? t.description ?? '',
      inputSchema: input,
      ...(t.outputSchema && { outputSchema: portableSchema(t.outputSchema) }),
      ...(t.annotations && { annotations: t.annotations }),
      backend: server.backend,
      upstream: { server: server.name, tool: t.name },
      ...(server.auth && { auth: server.auth }),
      ...(p.rateLimit && { rateLimit: p.rateLimit }),
      ...(p.cache && { cache: p.cache }),
      auditArguments: p.auditArguments ?? false,
      source: server.source,
    });
  }
  return { tools: out, unusable };
}
