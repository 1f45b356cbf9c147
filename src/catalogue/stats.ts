// Honest sizes: what a client pays to load a catalogue. `tools/list` bytes are those of the served
// descriptors; tokens are approximated at 4 bytes each (the common rule of thumb for English and JSON).
import type { ToolSpec } from '../registry/spec.ts';
import type { ToolsetView } from './toolsets.ts';

/** The tool as clients see it in tools/list: the one definition the MCP edge and the sizes share. */
export interface ToolDescriptor {
  readonly name: string;
  readonly title?: string;
  readonly description: string;
  readonly inputSchema: Record<string, unknown>;
  readonly outputSchema?: Record<string, unknown>;
  readonly annotations?: Record<string, unknown>;
  readonly _meta?: Record<string, unknown>;
}

const descriptors = new WeakMap<ToolSpec, ToolDescriptor>();
export function toolDescriptor(t: ToolSpec): ToolDescriptor {
  let d = descriptors.get(t);
  if (!d) {
    d = {
      name: t.name,
      ...(t.title !== undefined && { title: t.title }),
      description: t.description,
      inputSchema: t.inputSchema,
      ...(t.outputSchema && { outputSchema: t.outputSchema }),
      ...(t.annotations && { annotations: t.annotations }),
      ...(t.meta && { _meta: t.meta }),
    };
    descriptors.set(t, d);
  }
  return d;
}

export interface ListStats {
  readonly tools: number;
  readonly bytes: number;
  readonly approxTokens: number;
}

export function listStats(tools: readonly ToolSpec[]): ListStats {
  const bytes = Buffer.byteLength(JSON.stringify({ tools: tools.map(toolDescriptor) }));
  return { tools: tools.length, bytes, approxTokens: Math.ceil(bytes / 4) };
}

/** One endpoint a client can connect to (/mcp or /mcp/<set>) and the size of its full tool list. */
export interface EndpointSize extends ListStats {
  readonly endpoint: string;
  /** It lists the three discovery meta-tools instead of its tools. */
  readonly discovery: boolean;
  readonly description?: string;
}

/** Sizes of /mcp and of every /mcp/<set> of a catalogue (tools with overrides applied). */
export function endpointSizes(tools: readonly ToolSpec[], toolsets: ReadonlyMap<string, ToolsetView>, discovery: boolean): EndpointSize[] {
  return [
    { endpoint: '/mcp', discovery, ...listStats(tools) },
    ...[...toolsets.values()].map((v) => ({
      endpoint: `/mcp/${v.name}`,
      discovery: v.discovery,
      ...(v.description !== undefined && { description: v.description }),
      ...listStats(v.tools),
    })),
  ];
}

/**
 * Beyond either, a client's first tools/list is slow (MCP SDK v1 clients took 10 s over GitHub's 5 MB)
 * and fills a model's context: `nexus check` and `serve` say so (README "Big catalogues").
 */
export const LARGE_LIST = { bytes: 1024 * 1024, tools: 500 } as const;

export const formatBytes = (n: number) =>
  n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1024 / 1024).toFixed(1)} MB`;

/** "/mcp: 1201 tools, 4.9 MB (~1,290,000 tokens)" */
export const describeSize = (s: EndpointSize) =>
  `${s.endpoint}: ${s.tools} tool(s), ${formatBytes(s.bytes)} (~${s.approxTokens.toLocaleString('en')} tokens)`;

/** The advice for each endpoint that lists its tools and is too large to. */
export function largeListWarnings(sizes: readonly EndpointSize[]): string[] {
  return sizes
    .filter((s) => !s.discovery && (s.bytes > LARGE_LIST.bytes || s.tools > LARGE_LIST.tools))
    .map(
      (s) =>
        `the tools/list of ${s.endpoint} is large (${s.tools} tools, ${formatBytes(s.bytes)}; over ${LARGE_LIST.tools} tools or ${formatBytes(LARGE_LIST.bytes)}): clients load all of it on connecting; serve tool sets (/mcp/<set>, output_schemas: false) or discovery: true instead, see README "Big catalogues"`,
    );
}
