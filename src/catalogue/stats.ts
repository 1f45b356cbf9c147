// Honest sizes: what a client pays to load a catalogue. `tools/list` bytes are those of the served
// descriptors; tokens are approximated at 4 bytes each (the common rule of thumb for English and JSON).
import type { ToolSpec } from '../registry/spec.ts';

/** The tool as clients see it in tools/list: the one definition the MCP edge and the sizes share. */
export interface ToolDescriptor {
  readonly name: string;
  readonly title?: string;
  readonly description: string;
  readonly inputSchema: Record<string, unknown>;
  readonly outputSchema?: Record<string, unknown>;
  readonly annotations?: Record<string, unknown>;
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
