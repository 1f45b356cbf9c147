// GET /openapi.json: the OpenAPI 3.1 document of the running tool set (rebuilt per reload) plus the
// admin API, and GET /docs: Swagger UI served entirely by Nexus (works air-gapped).
import { Elysia } from 'elysia';
import { buildOpenApiDocument } from '../openapi/document.ts';
import type { Registry, ToolSet } from '../registry/registry.ts';
import { ADMIN_PATHS } from './admin-openapi.ts';
import { docsRoutes } from './docs.ts';

export function openApiRoutes(opts: { registry: Registry; version: string; serverUrl?: string }) {
  let cached: { set: ToolSet; body: string } | undefined;
  const document = () => {
    const set = opts.registry.current();
    if (cached?.set !== set) {
      const doc = buildOpenApiDocument(set.tools, {
        title: 'Nexus tools',
        version: opts.version,
        security: 'bearer',
        extraPaths: ADMIN_PATHS,
        ...(opts.serverUrl && { serverUrl: opts.serverUrl }),
      });
      cached = { set, body: JSON.stringify(doc) };
    }
    return cached.body;
  };
  return new Elysia({ name: 'openapi' })
    .get('/openapi.json', () => new Response(document(), { headers: { 'content-type': 'application/json', 'cache-control': 'no-cache' } }))
    .use(docsRoutes({ openapiUrl: '/openapi.json', title: 'Nexus tools' }));
}
