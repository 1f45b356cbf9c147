// The OpenAPI 3.1 document of the running tool set: one POST path per tool, shared problem responses.
import { expect, test } from 'bun:test';
import { buildOpenApiDocument, toolTag } from '../../../src/openapi/document.ts';
import { loadToolFile } from '../../../src/registry/load.ts';
import type { ToolSpec } from '../../../src/registry/spec.ts';
import { openApi31Issues } from '../../helpers/oas-schema.ts';

const load = (file: string, text: string): ToolSpec[] => {
  const { tools, issues } = loadToolFile(file, text, { env: {} });
  expect(issues).toEqual([]);
  return tools;
};

const tools = [
  ...load(
    'tools/jira.yaml',
    `
backend: { base_url: https://jira.example.com }
tools:
  - name: jira_get_issue
    title: Get Jira issue
    description: Fetch a Jira issue by key.
    input:
      type: object
      properties: { key: { type: string, pattern: "^[A-Z]+-[0-9]+$" }, fields: { $ref: "#/$defs/fields" } }
      required: [key]
      $defs: { fields: { type: array, items: { type: string } } }
    output:
      type: object
      properties: { key: { type: string }, summary: { type: [string, "null"] } }
    request: { method: GET, path: "/rest/api/3/issue/{key}" }
`,
  ),
  ...load(
    'tools/crm.yaml',
    `
backend: { base_url: https://crm.example.com }
tools:
  - name: lookup
    description: Look a contact up.
    input: { type: object, properties: { email: { type: string, format: email } } }
    request: { method: POST, path: /contacts/search }
`,
  ),
];

const opts = { title: 'Nexus', version: '1.2.3', serverUrl: 'https://nexus.example.com', security: 'bearer' as const };

test('the document validates against the official OpenAPI 3.1 schema, with and without security', async () => {
  expect(await openApi31Issues(buildOpenApiDocument(tools, opts))).toEqual([]);
  expect(await openApi31Issues(buildOpenApiDocument(tools, { title: 'Nexus', version: '1', security: 'none' }))).toEqual([]);
  expect(await openApi31Issues(buildOpenApiDocument([], opts))).toEqual([]);
  // and the check has teeth: a response without a description is refused
  expect(
    await openApi31Issues({
      openapi: '3.1.0',
      info: { title: 'x', version: '1' },
      paths: { '/a': { post: { responses: { '200': {} } } } },
    }),
  ).not.toEqual([]);
});

test('a tool is a POST path with its input as the body and its output as the 200 answer', () => {
  const doc = buildOpenApiDocument(tools, opts) as { paths: Record<string, unknown>; components: { schemas: Record<string, unknown> } };
  expect(doc.paths['/api/tools/jira_get_issue']).toEqual({
    post: {
      operationId: 'jira_get_issue',
      summary: 'Get Jira issue',
      description: 'Fetch a Jira issue by key.',
      tags: ['jira'],
      requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/jira_get_issue.input' } } } },
      responses: {
        '200': {
          description: "The backend's answer",
          content: {
            'application/json': { schema: { $ref: '#/components/schemas/jira_get_issue.output' } },
            'text/plain': { schema: { type: 'string' } },
          },
        },
        '400': { $ref: '#/components/responses/BadArguments' },
        '401': { $ref: '#/components/responses/Unauthorized' },
        '404': { $ref: '#/components/responses/NotFound' },
        '413': { $ref: '#/components/responses/TooLarge' },
        '429': { $ref: '#/components/responses/RateLimited' },
        '502': { $ref: '#/components/responses/BackendFailed' },
        '504': { $ref: '#/components/responses/BackendTimeout' },
      },
    },
  });
  // 2020-12 keywords pass through; the schema's own refs are re-rooted so they still resolve
  expect(doc.components.schemas['jira_get_issue.input']).toEqual({
    type: 'object',
    properties: {
      key: { type: 'string', pattern: '^[A-Z]+-[0-9]+$' },
      fields: { $ref: '#/components/schemas/jira_get_issue.input/$defs/fields' },
    },
    required: ['key'],
    $defs: { fields: { type: 'array', items: { type: 'string' } } },
  });
  expect(doc.components.schemas['jira_get_issue.output']).toEqual({
    type: 'object',
    properties: { key: { type: 'string' }, summary: { type: ['string', 'null'] } },
  });
});

test('a tool without output answers any JSON, and a tool without required arguments has an optional body', () => {
  const doc = buildOpenApiDocument(tools, opts) as { paths: Record<string, { post: Record<string, any> }> };
  const post = doc.paths['/api/tools/lookup']!.post;
  expect(post.tags).toEqual(['crm']);
  expect(post.requestBody.required).toBe(false);
  expect(post.responses['200'].content['application/json']).toEqual({ schema: { description: 'Whatever JSON the backend answers' } });
});

test('errors are problem+json with a shared Problem schema, and 429 carries Retry-After', () => {
  const doc = buildOpenApiDocument(tools, opts) as { components: Record<string, any>; security: unknown };
  expect(doc.security).toEqual([{ bearerAuth: [] }]);
  expect(doc.components.securitySchemes).toEqual({ bearerAuth: { type: 'http', scheme: 'bearer', description: 'A Nexus API key' } });
  expect(doc.components.responses.RateLimited).toEqual({
    description: 'A rate limit was hit; retry after the given number of seconds',
    headers: { 'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer', minimum: 1 } } },
    content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
  });
  expect(Object.keys(doc.components.responses).sort()).toEqual([
    'BackendFailed',
    'BackendTimeout',
    'BadArguments',
    'NotFound',
    'RateLimited',
    'TooLarge',
    'Unauthorized',
  ]);
});

test('without security there is no scheme and no 401; extra paths are added but never replace a tool', () => {
  const extra = { '/admin/keys': { get: { responses: { '200': { description: 'ok' } } } }, '/api/tools/lookup': { get: {} } };
  const doc = buildOpenApiDocument(tools, { title: 'Nexus', version: '1', security: 'none', extraPaths: extra }) as Record<string, any>;
  expect(doc.security).toBeUndefined();
  expect(doc.components.securitySchemes).toBeUndefined();
  expect(doc.paths['/api/tools/lookup'].post.responses['401']).toBeUndefined();
  expect(doc.paths['/api/tools/lookup'].get).toBeUndefined();
  expect(doc.paths['/admin/keys']).toEqual(extra['/admin/keys']);
  expect(Object.keys(doc.paths)).toEqual(['/api/tools/jira_get_issue', '/api/tools/lookup', '/admin/keys']);
});

test('the tag is the name prefix, else the declaring file', () => {
  expect(toolTag({ name: 'crm_find', source: { file: 'tools/x.yaml', line: 1 } })).toBe('crm');
  expect(toolTag({ name: 'lookup', source: { file: 'tools/people.yml', line: 1 } })).toBe('people');
});
