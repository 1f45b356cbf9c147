// /mcp/<toolset>: each tool set is its own MCP server (both revisions, the same guards and auth as /mcp),
// narrowed to the set's tools, or serving the discovery meta-tools when the set asks for it. An
// endpoint is made only for a declared set, so client-chosen names never become state.
import { toolsetPipeline } from '../catalogue/scope.ts';
import { TOOLSET_NAME_PATTERN } from '../registry/schema.ts';
import { createMcpEndpoint, type McpEndpoint, type McpEndpointOptions } from './endpoint.ts';

const NAME = new RegExp(TOOLSET_NAME_PATTERN);

export interface ToolsetEndpoints {
  handle(toolset: string, req: Request): Promise<Response>;
  close(): Promise<void>;
}

export function createToolsetEndpoints(base: McpEndpointOptions): ToolsetEndpoints {
  const endpoints = new Map<string, McpEndpoint>();
  const unknown = (name: string) =>
    Response.json(
      { jsonrpc: '2.0', error: { code: -32601, message: `Unknown tool set: ${name.slice(0, 64)} (see GET /api/toolsets)` }, id: null },
      { status: 404 },
    );
  return {
    handle(name, req) {
      if (!NAME.test(name) || !base.registry.current().toolsets.has(name)) return Promise.resolve(unknown(name));
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
      return e.handle(req);
    },
    async close() {
      await Promise.all([...endpoints.values()].map((e) => e.close()));
      endpoints.clear();
    },
  };
}
