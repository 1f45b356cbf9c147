// Security schemes become auth blocks; what Nexus cannot inject is reported for manual setup.
import { expect, test } from 'bun:test';
import { importOpenApi } from '../../../src/importer/importer.ts';
import { parseSpec } from '../../../src/importer/load.ts';
import { expectValidToolFile } from './valid-tool-file.ts';

const SPEC = `
openapi: 3.1.0
info: { title: Galaxy Ops, version: '1' }
servers: [{ url: https://ops.example.com/api }]
components:
  securitySchemes:
    cc: { type: oauth2, flows: { clientCredentials: { tokenUrl: /oauth/token, scopes: { 'ops:read': r, 'ops:write': w } } } }
    code: { type: oauth2, flows: { authorizationCode: { authorizationUrl: https://id.example.com/a, tokenUrl: https://id.example.com/t, scopes: {} } } }
    oidc: { type: openIdConnect, openIdConnectUrl: https://id.example.com/.well-known/openid-configuration }
    cookieKey: { type: apiKey, in: cookie, name: sid }
    queryKey: { type: apiKey, in: query, name: api_key }
    digest: { type: http, scheme: digest }
security: [{ oidc: [] }, { cc: ['ops:read'] }]
paths:
  /a: { get: { operationId: inherits, responses: { '200': { description: ok } } } }
  /b: { get: { operationId: writeScope, security: [{ cc: ['ops:write'] }], responses: { '200': { description: ok } } } }
  /c: { get: { operationId: queryKey, security: [{ queryKey: [] }], responses: { '200': { description: ok } } } }
  /d: { get: { operationId: manualOnly, security: [{ code: [] }, { cookieKey: [] }, { digest: [] }], responses: { '200': { description: ok } } } }
  /e: { get: { operationId: combined, security: [{ queryKey: [], cc: [] }], responses: { '200': { description: ok } } } }
  /f: { get: { operationId: prefersFileScheme, security: [{ queryKey: [] }, { cc: ['ops:read'] }], responses: { '200': { description: ok } } } }
`;

const spec = parseSpec(SPEC, 'ops.yaml');
const result = importOpenApi(spec);
const authOf = (name: string) => result.file.tools.find((t) => t.name === name)?.auth;

test('the first supported document-level scheme becomes the file auth, with a relative token URL resolved', () => {
  expect(result.file.backend?.auth).toEqual({
    type: 'oauth2_client_credentials',
    credential: 'galaxy-ops-cc',
    token_url: 'https://ops.example.com/oauth/token',
    scopes: ['ops:read'],
  });
  expect(authOf('inherits')).toBeUndefined();
  expect(authOf('prefersFileScheme')).toBeUndefined();
});

test('an operation with its own scheme or scopes gets a tool-level auth block', () => {
  expect(authOf('writeScope')).toEqual({
    type: 'oauth2_client_credentials',
    credential: 'galaxy-ops-cc',
    token_url: 'https://ops.example.com/oauth/token',
    scopes: ['ops:write'],
  });
  expect(authOf('queryKey')).toEqual({ type: 'api_key', credential: 'galaxy-ops-querykey', query: 'api_key' });
});

test('schemes Nexus cannot inject are reported with the operation and send no credential', () => {
  expect(authOf('manualOnly')).toEqual({ type: 'none' });
  expect(authOf('combined')).toEqual({ type: 'none' });
  expect(result.warnings).toEqual([
    'manualOnly: authentication needs manual setup: OAuth2 scheme code has no clientCredentials flow (authorizationCode): write its auth block by hand, e.g. oauth2_refresh_token; API key in cookie (scheme cookieKey) is not supported; http "digest" authentication (scheme digest) is not supported',
    'combined: authentication needs manual setup: combined schemes queryKey + cc are not supported',
  ]);
  expect([...result.credentials]).toEqual([
    ['galaxy-ops-cc', 'oauth2_client_credentials'],
    ['galaxy-ops-querykey', 'api_key'],
  ]);
  expectValidToolFile(result.file);
});

test('a document whose only scheme is OpenID Connect asks for manual setup', () => {
  const oidcOnly = parseSpec(SPEC.replace("security: [{ oidc: [] }, { cc: ['ops:read'] }]", 'security: [{ oidc: [] }]'), 'ops.yaml');
  const r = importOpenApi(oidcOnly, { operations: ['inherits'] });
  expect(r.file.backend).toEqual({ base_url: 'https://ops.example.com/api' });
  expect(r.warnings).toEqual([
    "authentication needs manual setup: OpenID Connect scheme oidc: write its auth block by hand (e.g. oauth2_client_credentials with the provider's token URL)",
  ]);
});

test('one --auth name used for two kinds of credential is reported', () => {
  const r = importOpenApi(spec, { auth: 'ops', operations: ['inherits', 'queryKey'] });
  expect(r.warnings).toEqual(['credential ops is used as both oauth2_client_credentials and api_key; give one of them another name']);
});
