// Progressive discovery for large catalogues: instead of listing every tool, an endpoint serves three
// meta-tools (search, describe, call by name). call_tool runs the normal pipeline, so access, limits,
// cache and audit are exactly those of a direct call; search and describe see only what the caller may.
import type { CallOutcome, CallPipeline } from '../call/pipeline.ts';
import { unknownTool } from '../call/pipeline.ts';
import type { Caller } from '../caller.ts';
import type { ToolResult } from '../invoke/result.ts';
import { checkArguments } from '../registry/arguments.ts';
import type { JsonObject, ToolSpec } from '../registry/spec.ts';
import { buildSearchIndex, type SearchIndex } from './search.ts';
import { toolDescriptor } from './stats.ts';

export const META_TOOLS = ['search_tools', 'describe_tool', 'call_tool'] as const;
const DEFAULT_RESULTS = 5;
const MAX_RESULTS = 20;
const SNIPPET = 240;

const meta = (name: string, description: string, inputSchema: JsonObject): ToolSpec => ({
  kind: 'http',
  name,
  description,
  inputSchema,
  annotations: { readOnlyHint: name !== 'call_tool', openWorldHint: name === 'call_tool' },
  // never sent anywhere: meta-tools are answered here, not by a backend
  request: { method: 'POST', path: '/', query: {}, headers: {} },
  backend: { id: 'nexus:discovery', baseUrl: new URL('http://discovery.invalid'), timeoutMs: 0, headers: {}, maxResponseBytes: 0 },
  auditArguments: false,
  source: { file: '(built in)', line: 0 },
});

const SEARCH = meta(
  'search_tools',
  'Search the tools available here by what you want to do. Returns the best matching tool names with a short description; then use describe_tool for a tool’s arguments and call_tool to run it.',
  {
    type: 'object',
    properties: {
      query: { type: 'string', minLength: 1, maxLength: 500, description: 'What you want to do, in a few words' },
      limit: { type: 'integer', minimum: 1, maximum: MAX_RESULTS, description: `How many tools to return (default ${DEFAULT_RESULTS})` },
    },
    required: ['query'],
    additionalProperties: false,
  },
);
const DESCRIBE = meta('describe_tool', 'The full description and argument schema of one tool found with search_tools.', {
  type: 'object',
  properties: { name: { type: 'string', minLength: 1, maxLength: 128, description: 'The tool’s name' } },
  required: ['name'],
  additionalProperties: false,
});
const CALL = meta('call_tool', 'Run a tool by name with its arguments (see describe_tool for what it takes).', {
  type: 'object',
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 128, description: 'The tool’s name' },
    arguments: { type: 'object', description: 'The tool’s arguments', additionalProperties: true },
  },
  required: ['name'],
  additionalProperties: false,
});
const META: readonly ToolSpec[] = [SEARCH, DESCRIBE, CALL];

const json = (value: Record<string, unknown>): ToolResult => ({
  isError: false,
  content: [{ type: 'text', text: JSON.stringify(value) }],
  structuredContent: value,
  json: value,
});
const notFound = (name: string): ToolResult => ({ isError: true, content: [{ type: 'text', text: unknownTool(name).message }] });

export function discoveryPipeline(inner: CallPipeline): CallPipeline {
  const indexes = new WeakMap<readonly ToolSpec[], { index: SearchIndex; byName: Map<string, ToolSpec> }>();
  const catalogue = (caller: Caller) => {
    const tools = inner.visibleTools(caller);
    let c = indexes.get(tools);
    if (!c) {
      const index = buildSearchIndex(
        tools.map((t) => ({
          name: t.name,
          ...(t.title !== undefined && { title: t.title }),
          description: t.description,
          parameters: Object.keys((t.inputSchema.properties as JsonObject | undefined) ?? {}),
        })),
      );
      indexes.set(tools, (c = { index, byName: new Map(tools.map((t) => [t.name, t])) }));
    }
    return c;
  };
  const answer = (tool: ToolSpec, result: ToolResult): CallOutcome => ({ result, source: 'backend', tool });

  return {
    visibleTools: () => META,
    async call(name, rawArgs, caller, ctx) {
      if (name === 'search_tools') {
        const a = checkArguments(name, SEARCH.inputSchema, rawArgs) as { query: string; limit?: number };
        const { index, byName } = catalogue(caller);
        const hits = index.search(a.query, a.limit ?? DEFAULT_RESULTS).map((h) => {
          const t = byName.get(h.name)!;
          const d = t.description.length > SNIPPET ? `${t.description.slice(0, SNIPPET)}…` : t.description;
          return { name: t.name, ...(t.title !== undefined && { title: t.title }), description: d };
        });
        return answer(SEARCH, json({ tools: hits, total: index.size }));
      }
      if (name === 'describe_tool') {
        const a = checkArguments(name, DESCRIBE.inputSchema, rawArgs) as { name: string };
        const t = catalogue(caller).byName.get(a.name);
        if (!t) return answer(DESCRIBE, notFound(a.name));
        return answer(DESCRIBE, json({ ...toolDescriptor(t) }));
      }
      if (name === 'call_tool') {
        const a = checkArguments(name, CALL.inputSchema, rawArgs) as { name: string; arguments?: Record<string, unknown> };
        return inner.call(a.name, a.arguments ?? {}, caller, ctx);
      }
      throw unknownTool(name);
    },
  };
}
