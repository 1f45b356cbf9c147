// The invoker for federated MCP tools: the call goes to the tool's server through the pool.
import type { Invoker } from '../call/types.ts';
import type { McpToolSpec } from '../registry/spec.ts';
import type { UpstreamPool } from './pool.ts';

export function createMcpInvoker(pool: Pick<UpstreamPool, 'call'>): Invoker<McpToolSpec> {
  return (tool, args, caller, ctx) => pool.call(tool, args, caller, ctx);
}
