// /mcp/<toolset>: each tool set is its own MCP server (both revisions, the same guards and auth as /mcp),
// narrowed to the set's tools, or serving the discovery meta-tools when the set asks for it. An
// endpoint is made only for a declared set, so client-chosen names never become state.
import { toolsetPipeline } from '../catalogue/scope.ts';
import { TOOLSET_NAME_PATTERN } from '../registry/schema.ts';
import { createMcpEndpoint, type McpEndpoint, type McpEndpointOptions } from './endpoint.ts';

const NAME = new RegExp(TOOLSET_NAME_PATTERN);

export interface ToolsetEndpoints {
  handle(toolset: string, req: Request): Promise<Response>;
  /** GET /sse/<toolset>: an HTTP+SSE session on the set. */
  handleSse(toolset: string, req: Request): Promise<Response>;
  close(): Promise<void>;
}

export function createToolsetEndpoints(base: McpEndpointOptions): ToolsetEndpoints {
  const endpoints = new Map<string, McpEndpoint>();
  const unknown = (name: string) =>
    Response.json(
      { jsonrpc: '2.0', error: { code: -32601, message: `Unknown tool set: ${name.slice(0, 64)} (see GET /api/toolsets)` }, id: null },
      { status: 404 },
    );
  /** The endpoint of a declared set, made on first use. */
  function endpoint(name: string): McpEndpoint | undefined {
    if (!NAME.test(name) || !base.registry.current().toolsets.has(name)) return undefined;
    let e = endpoints.get(name);
    if (!e) {
      e = createMcpEndpoint({
        ...base,
        pipeline: toolsetPipeline(base.pipeline, base.registry, name),
        instructions: () => {
          const v = base.registry.current().toolsets.get(name);
          return v?.instructions ?? v?.description;
        },
      });
      endpoints.set(name, e);
    }
    return e;
  }
  return {
    handle: (name, req) => endpoint(name)?.handle(req) ?? Promise.resolve(unknown(name)),
    handleSse: (name, req) => endpoint(name)?.handleSse(req) ?? Promise.resolve(unknown(name)),
    async close() {
      await Promise.all([...endpoints.values()].map((e) => e.close()));
      endpoints.clear();
    },
  };
}
