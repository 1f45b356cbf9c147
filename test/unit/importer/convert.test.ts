// OpenAPI 3.0 operations become tools: parameters and JSON bodies merged, requests mapped, gaps reported.
import { expect, test } from 'bun:test';
import { importOpenApi } from '../../../src/importer/importer.ts';
import { parseSpec } from '../../../src/importer/load.ts';
import { expectValidToolFile } from './valid-tool-file.ts';

const SPEC = `
openapi: 3.0.3
info: { title: Issue Tracker, version: '2.1' }
servers: [{ url: 'https://tracker.example.com/api/{version}', variables: { version: { default: v2 } } }]
security: [{ token: [] }]
components:
  securitySchemes:
    token: { type: http, scheme: bearer }
  parameters:
    ProjectKey: { name: project, in: path, required: true, schema: { type: string }, description: Project key }
  schemas:
    NewIssue:
      type: object
      required: [summary]
      properties:
        summary: { type: string }
        priority: { type: string, enum: [low, high], nullable: true }
        id: { type: integer, readOnly: true }
paths:
  /projects/{project}/issues:
    parameters: [{ $ref: '#/components/parameters/ProjectKey' }]
    get:
      operationId: listIssues
      summary: List issues
      tags: [issues]
      parameters:
        - { name: status, in: query, schema: { type: string, enum: [open, closed] } }
        - { name: labels, in: query, schema: { type: array, items: { type: string } } }
        - { name: X-Trace-Id, in: header, schema: { type: string } }
        - { name: Accept, in: header, schema: { type: string } }
        - { name: session, in: cookie, schema: { type: string } }
      responses:
        '200': { description: ok, content: { application/json: { schema: { type: array, items: { type: object } } } } }
    post:
      operationId: createIssue
      summary: Create an issue
      description: Opens a new issue in the project.
      tags: [issues]
      requestBody:
        required: true
        content: { application/json: { schema: { $ref: '#/components/schemas/NewIssue' } } }
      responses:
        '201': { description: created, content: { application/json: { schema: { $ref: '#/components/schemas/NewIssue' } } } }
  /projects/{project}/issues/{key}/comments:
    post:
      tags: [comments]
      parameters:
        - { $ref: '#/components/parameters/ProjectKey' }
        - { name: key, in: path, required: true, schema: { type: string } }
      requestBody:
        content: { application/json: { schema: { type: object, properties: { key: { type: string } } } } }
      responses: { '201': { description: created } }
  /projects/{project}/attachments:
    parameters: [{ $ref: '#/components/parameters/ProjectKey' }]
    post:
      operationId: uploadAttachment
      requestBody: { content: { multipart/form-data: { schema: { type: object } } } }
      responses: { '200': { description: ok } }
    head:
      operationId: probeAttachments
      responses: { '200': { description: ok } }
  /search:
    post:
      operationId: search
      tags: [search]
      security: []
      requestBody: { content: { application/json: { schema: { type: array, items: { type: string } } } } }
      responses: { '200': { description: ok } }
`;

const spec = parseSpec(SPEC, 'tracker.yaml');
const project = { type: 'string', description: 'Project key' };

test('the file-level backend carries the first server with its variables filled and the bearer auth', () => {
  expect(importOpenApi(spec).file.backend).toEqual({
    base_url: 'https://tracker.example.com/api/v2',
    auth: { type: 'bearer', credential: 'issue-tracker-token' },
  });
});

test('path, query and header parameters become arguments mapped into the request', () => {
  const tool = importOpenApi(spec).file.tools.find((t) => t.name === 'listIssues');
  expect(tool).toEqual({
    name: 'listIssues',
    meta: { 'nexus/operation_id': 'listIssues' },
    title: 'List issues',
    description: 'List issues',
    input: {
      type: 'object',
      properties: {
        project,
        status: { type: 'string', enum: ['open', 'closed'] },
        labels: { type: 'array', items: { type: 'string' } },
        'X-Trace-Id': { type: 'string' },
      },
      required: ['project'],
      additionalProperties: false,
    },
    request: {
      method: 'GET',
      path: '/projects/{project}/issues',
      query: { status: '{status}', labels: '{labels}' },
      headers: { 'X-Trace-Id': '{X-Trace-Id}' },
    },
    annotations: { readOnlyHint: true },
  });
});

test('an object body is merged beside the parameters and sent as the unused arguments', () => {
  const tool = importOpenApi(spec).file.tools.find((t) => t.name === 'createIssue');
  expect(tool).toEqual({
    name: 'createIssue',
    meta: { 'nexus/operation_id': 'createIssue' },
    title: 'Create an issue',
    description: 'Create an issue. Opens a new issue in the project.',
    input: {
      type: 'object',
      properties: {
        project,
        summary: { type: 'string' },
        priority: { type: ['string', 'null'], enum: ['low', 'high', null] },
      },
      required: ['project', 'summary'],
    },
    request: { method: 'POST', path: '/projects/{project}/issues' },
    output: {
      type: 'object',
      required: ['summary'],
      properties: {
        summary: { type: 'string' },
        priority: { type: ['string', 'null'], enum: ['low', 'high', null] },
        id: { type: 'integer' },
      },
    },
    output_check: 'warn',
  });
});

test('a body whose property clashes with a parameter goes under a body argument', () => {
  const tool = importOpenApi(spec).file.tools.find((t) => t.name === 'post_projects_project_issues_key_comments');
  expect(tool).toEqual({
    name: 'post_projects_project_issues_key_comments',
    description: 'POST /projects/{project}/issues/{key}/comments',
    input: {
      type: 'object',
      properties: { project, key: { type: 'string' }, body: { type: 'object', properties: { key: { type: 'string' } } } },
      required: ['project', 'key'],
      additionalProperties: false,
    },
    request: { method: 'POST', path: '/projects/{project}/issues/{key}/comments', body: '{body}' },
  });
});

test('a non-object body goes under a body argument, and an anonymous operation drops the file auth', () => {
  const tool = importOpenApi(spec).file.tools.find((t) => t.name === 'search');
  expect(tool).toEqual({
    name: 'search',
    meta: { 'nexus/operation_id': 'search' },
    description: 'POST /search',
    input: { type: 'object', properties: { body: { type: 'array', items: { type: 'string' } } }, additionalProperties: false },
    request: { method: 'POST', path: '/search', body: '{body}' },
    auth: { type: 'none' },
  });
});

test('cookie parameters, non-JSON bodies and unsupported methods are reported, never silently imported', () => {
  const result = importOpenApi(spec);
  expect(result.file.tools.map((t) => t.name)).toEqual([
    'listIssues',
    'createIssue',
    'post_projects_project_issues_key_comments',
    'search',
  ]);
  expect(result.warnings).toEqual([
    'listIssues: cookie parameter "session" is not supported; parameter skipped',
    'uploadAttachment: a multipart/form-data body without declared fields cannot be encoded; operation skipped',
    'probeAttachments: method HEAD is not supported; operation skipped',
  ]);
});

test('the imported file passes the tool-file checks', () => {
  expectValidToolFile(importOpenApi(spec).file);
});

test('--base-url and --auth replace the server and the credential name', () => {
  const { file } = importOpenApi(spec, { baseUrl: 'http://127.0.0.1:9999/tracker/', auth: 'tracker-bot' });
  expect(file.backend).toEqual({ base_url: 'http://127.0.0.1:9999/tracker', auth: { type: 'bearer', credential: 'tracker-bot' } });
});

test('a base URL with credentials in it is refused', () => {
  expect(() => importOpenApi(spec, { baseUrl: 'https://bot:pw@tracker.example.com' })).toThrow(
    expect.objectContaining({ code: 'INVALID_INPUT' }),
  );
});

test('a required parameter Nexus cannot send skips its operation, an optional one only itself', () => {
  const r = importOpenApi(
    parseSpec(
      JSON.stringify({
        openapi: '3.0.0',
        info: { title: 'T', version: '1' },
        servers: [{ url: 'https://t.example.com' }],
        paths: {
          '/a': {
            get: {
              operationId: 'needsCookie',
              parameters: [{ name: 'sid', in: 'cookie', required: true, schema: { type: 'string' } }],
              responses: {},
            },
          },
          '/b': {
            get: {
              operationId: 'optionalOnes',
              parameters: [
                { name: 'bad header', in: 'header', schema: { type: 'string' } },
                { name: 'filter', in: 'query', schema: { type: 'object' } },
                { name: 'ids', in: 'query', style: 'form', explode: false, schema: { type: 'array', items: { type: 'integer' } } },
                { name: 'where', in: 'query', content: { 'application/json': { schema: { type: 'object' } } } },
              ],
              responses: {},
            },
          },
        },
      }),
      't.json',
    ),
  );
  expect(r.file.tools).toEqual([
    {
      name: 'optionalOnes',
      meta: { 'nexus/operation_id': 'optionalOnes' },
      description: 'GET /b',
      input: {
        type: 'object',
        properties: { ids: { type: 'array', items: { type: 'integer' } }, where: { type: 'object' } },
        additionalProperties: false,
      },
      request: { method: 'GET', path: '/b', query: { ids: { value: '{ids}', style: 'comma' }, where: '{where}' } },
      annotations: { readOnlyHint: true },
    },
  ]);
  expect(r.warnings).toEqual([
    'needsCookie: required cookie parameter "sid" is not supported; operation skipped',
    'optionalOnes: header parameter "bad header" is not a valid header name; parameter skipped',
    'optionalOnes: query parameter "filter" is an object with style form, which Nexus cannot serialise; parameter skipped',
  ]);
  expect(r.skipped).toEqual([['required parameter Nexus cannot send', 1]]);
});

test('a recursive request body keeps its recursion as root $defs and the tool file is valid', () => {
  const spec = parseSpec(
    JSON.stringify({
      openapi: '3.0.3',
      info: { title: 'Tree', version: '1' },
      servers: [{ url: 'https://tree.example' }],
      paths: {
        '/nodes': {
          post: {
            operationId: 'createNode',
            requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Node' } } } },
            responses: { '200': { description: 'ok' } },
          },
        },
      },
      components: {
        schemas: {
          Node: {
            type: 'object',
            properties: { name: { type: 'string' }, children: { type: 'array', items: { $ref: '#/components/schemas/Node' } } },
          },
        },
      },
    }),
    'tree.json',
  );
  const { file, warnings } = importOpenApi(spec);
  expect(warnings).toEqual([]);
  expect(file.tools[0]!.input).toEqual({
    type: 'object',
    properties: { name: { type: 'string' }, children: { type: 'array', items: { $ref: '#/$defs/Node' } } },
    $defs: {
      Node: { type: 'object', properties: { name: { type: 'string' }, children: { type: 'array', items: { $ref: '#/$defs/Node' } } } },
    },
  });
  expectValidToolFile(file);
});
