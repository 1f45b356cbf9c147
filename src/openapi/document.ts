// The OpenAPI 3.1 document of the running tool set: each tool is `POST /api/tools/{name}`.
import { basename, extname } from 'node:path';
import type { JsonObject, ToolSpec } from '../registry/spec.ts';
import { isRecord } from '../util/json.ts';

export interface OpenApiDocumentOptions {
  readonly title: string;
  readonly version: string;
  readonly serverUrl?: string;
  readonly security: 'bearer' | 'none';
  /** More paths (e.g. the admin API), added as given; a tool path wins on a clash. */
  readonly extraPaths?: Record<string, unknown>;
}

const problem = (description: string, headers?: JsonObject): JsonObject => ({
  description,
  ...(headers && { headers }),
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

const ERROR_RESPONSES: Record<string, JsonObject> = {
  BadArguments: problem('The arguments do not match the input schema; `issues` lists every problem'),
  Unauthorized: problem('No API key, or an invalid one'),
  NotFound: problem('No such tool, or the caller may not use it (both look the same)'),
  TooLarge: problem('The request body is too large'),
  RateLimited: problem('A rate limit was hit; retry after the given number of seconds', {
    'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer', minimum: 1 } },
  }),
  BackendFailed: problem('The backend failed, answered with an error, or could not be reached'),
  BackendTimeout: problem('The backend did not answer in time'),
};

const PROBLEM_SCHEMA: JsonObject = {
  type: 'object',
  description: 'RFC 9457 problem details',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: { type: 'string', format: 'uri-reference' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string', description: 'Nexus error code, e.g. INVALID_INPUT, RATE_LIMITED, UPSTREAM_TIMEOUT' },
    issues: { type: 'array', items: { type: 'string' }, description: 'Every argument issue (400)' },
    retryAfter: { type: 'number', description: 'Seconds until a retry may succeed (429)' },
    backendStatus: { type: 'integer', description: "The backend's HTTP status (502)" },
  },
};

/** Tag: the name's prefix before `_` (`jira_get_issue` -> jira), else the declaring file's name. */
export function toolTag(tool: Pick<ToolSpec, 'name' | 'source'>): string {
  const cut = tool.name.indexOf('_');
  if (cut > 0) return tool.name.slice(0, cut);
  return basename(tool.source.file, extname(tool.source.file)) || 'tools';
}

/** A tool's schema as a component: its local `#/...` refs are re-rooted so they still resolve. */
function rerooted(schema: unknown, component: string): unknown {
  if (Array.isArray(schema)) return schema.map((s) => rerooted(s, component));
  if (!isRecord(schema)) return schema;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(schema)) {
    out[k] =
      k === '$ref' && typeof v === 'string' && v.startsWith('#/')
        ? `#/components/schemas/${component}${v.slice(1)}`
        : rerooted(v, component);
  }
  return out;
}

export function buildOpenApiDocument(tools: readonly ToolSpec[], opts: OpenApiDocumentOptions): Record<string, unknown> {
  const bearer = opts.security === 'bearer';
  const schemas: JsonObject = { Problem: PROBLEM_SCHEMA };
  const paths: JsonObject = {};
  const tags = new Set<string>();
  for (const tool of [...tools].sort((a, b) => a.name.localeCompare(b.name))) {
    const tag = toolTag(tool);
    tags.add(tag);
    schemas[`${tool.name}.input`] = rerooted(tool.inputSchema, `${tool.name}.input`);
    if (tool.outputSchema) schemas[`${tool.name}.output`] = rerooted(tool.outputSchema, `${tool.name}.output`);
    const answer = tool.outputSchema
      ? { $ref: `#/components/schemas/${tool.name}.output` }
      : { description: 'Whatever JSON the backend answers' };
    const required = Array.isArray(tool.inputSchema.required) && tool.inputSchema.required.length > 0;
    paths[`/api/tools/${tool.name}`] = {
      post: {
        operationId: tool.name,
        summary: tool.title ?? tool.name,
        description: tool.description,
        tags: [tag],
        requestBody: { required, content: { 'application/json': { schema: { $ref: `#/components/schemas/${tool.name}.input` } } } },
        responses: {
          '200': {
            description: "The backend's answer",
            content: { 'application/json': { schema: answer }, 'text/plain': { schema: { type: 'string' } } },
          },
          '400': { $ref: '#/components/responses/BadArguments' },
          ...(bearer && { '401': { $ref: '#/components/responses/Unauthorized' } }),
          '404': { $ref: '#/components/responses/NotFound' },
          '413': { $ref: '#/components/responses/TooLarge' },
          '429': { $ref: '#/components/responses/RateLimited' },
          '502': { $ref: '#/components/responses/BackendFailed' },
          '504': { $ref: '#/components/responses/BackendTimeout' },
        },
      },
    };
  }
  for (const [path, item] of Object.entries(opts.extraPaths ?? {})) if (!(path in paths)) paths[path] = item;
  const { Unauthorized, ...unauthenticated } = ERROR_RESPONSES;
  return {
    openapi: '3.1.0',
    info: { title: opts.title, version: opts.version },
    ...(opts.serverUrl && { servers: [{ url: opts.serverUrl }] }),
    ...(bearer && { security: [{ bearerAuth: [] }] }),
    tags: [...tags].sort().map((name) => ({ name })),
    paths,
    components: {
      schemas,
      responses: bearer ? { ...unauthenticated, Unauthorized } : unauthenticated,
      ...(bearer && { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'A Nexus API key' } } }),
    },
  };
}
