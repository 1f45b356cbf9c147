// GET /api/toolsets: the tool sets with their honest sizes (tools, tools/list bytes and tokens) as the
// caller sees them; GET /api/toolsets/{name}: the OpenAPI document of one set (calls stay at
// POST /api/tools/{name}). Both authenticate like every tool surface and show only usable tools.
import { Elysia } from 'elysia';
import type { CallPipeline } from '../call/pipeline.ts';
import { ANONYMOUS, type Caller } from '../caller.ts';
import { toolsetPipeline } from '../catalogue/scope.ts';
import { listStats } from '../catalogue/stats.ts';
import { NexusError } from '../errors.ts';
import { buildOpenApiDocument } from '../openapi/document.ts';
import type { Registry } from '../registry/registry.ts';
import { problem } from './problem.ts';

export interface ToolsetRoutesDeps {
  readonly registry: Registry;
  readonly pipeline: CallPipeline;
  readonly authenticate?: (req: Request) => Promise<Caller>;
  readonly version: string;
  readonly serverUrl?: string;
}

export function toolsetRoutes(deps: ToolsetRoutesDeps) {
  const caller = (req: Request) => (deps.authenticate ? deps.authenticate(req) : Promise.resolve(ANONYMOUS));
  const json = (body: unknown) => Response.json(body, { headers: { 'cache-control': 'no-store' } });
  return new Elysia({ name: 'toolsets' })
    .get('/api/toolsets', async ({ request }) => {
      try {
        const who = await caller(request);
        const sets = [...deps.registry.current().toolsets.values()].map((v) => {
          const members = deps.pipeline.visibleTools(who).filter((t) => v.has(t.name));
          const served = toolsetPipeline(deps.pipeline, deps.registry, v.name).visibleTools(who);
          return {
            name: v.name,
            ...(v.description !== undefined && { description: v.description }),
            discovery: v.discovery,
            endpoint: `/mcp/${v.name}`,
            ...listStats(members),
            // with discovery, tools/list is the meta-tools only: this is what a client loads
            ...(v.discovery && { discoveryList: listStats(served) }),
          };
        });
        return json({ catalogue: listStats(deps.pipeline.visibleTools(who)), toolsets: sets });
      } catch (e) {
        return problem(e);
      }
    })
    .get('/api/toolsets/:name', async ({ request, params }) => {
      try {
        const who = await caller(request);
        const view = deps.registry.current().toolsets.get(params.name);
        if (!view) throw new NexusError('NOT_FOUND', `Unknown tool set: ${params.name.slice(0, 64)}`);
        const tools = deps.pipeline.visibleTools(who).filter((t) => view.has(t.name));
        return json(
          buildOpenApiDocument(tools, {
            title: `Nexus tool set ${view.name}`,
            version: deps.version,
            security: deps.authenticate ? 'bearer' : 'none',
            ...(deps.serverUrl && { serverUrl: deps.serverUrl }),
          }),
        );
      } catch (e) {
        return problem(e);
      }
    });
}
