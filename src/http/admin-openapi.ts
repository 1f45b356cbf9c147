// The admin API in the OpenAPI document (secret fields are write-only: requests only, never responses).
const json = (schema: Record<string, unknown>) => ({ content: { 'application/json': { schema } } });
const ok = (description: string, schema: Record<string, unknown> = { type: 'object' }) => ({ '200': { description, ...json(schema) } });
const admin = { security: [{ bearerAuth: [] }], tags: ['admin'], description: 'Bearer NEXUS_ADMIN_TOKEN' };
const name = { name: 'name', in: 'path', required: true, schema: { type: 'string' } };
const forP = { name: 'for', in: 'query', required: false, schema: { type: 'string' }, description: 'Principal of a per-user credential' };

export const ADMIN_PATHS: Record<string, unknown> = {
  '/admin/credentials': { get: { ...admin, summary: 'List credentials (metadata only, never values)', responses: ok('Credentials') } },
  '/admin/credentials/{name}': {
    put: {
      ...admin,
      summary: 'Store a credential; a new version when it exists',
      parameters: [name, forP],
      requestBody: {
        required: true,
        ...json({
          type: 'object',
          required: ['secret'],
          properties: {
            type: { type: 'string', enum: ['basic', 'bearer', 'api_key', 'oauth2_client_credentials', 'oauth2_refresh_token'] },
            secret: { type: 'object', additionalProperties: { type: 'string', writeOnly: true } },
          },
        }),
      },
      responses: ok('Stored (metadata only)'),
    },
    delete: { ...admin, summary: 'Delete a credential', parameters: [name, forP], responses: ok('Deleted') },
  },
  '/admin/credentials/rotate-key': { post: { ...admin, summary: 'Rotate the key-encryption key (online)', responses: ok('Rotated') } },
  '/admin/keys': {
    get: { ...admin, summary: 'List client keys (never the keys)', responses: ok('Keys') },
    post: {
      ...admin,
      summary: 'Create a client key (returned once)',
      requestBody: {
        required: true,
        ...json({
          type: 'object',
          required: ['name'],
          properties: {
            name: { type: 'string' },
            tools: { type: 'array', items: { type: 'string' } },
            expires: { type: 'string', examples: ['90d'] },
          },
        }),
      },
      responses: ok('The new key'),
    },
  },
  '/admin/keys/{name}': { delete: { ...admin, summary: 'Revoke a client key', parameters: [name], responses: ok('Revoked') } },
  '/admin/audit': {
    get: {
      ...admin,
      summary: 'Read the audit trail',
      parameters: ['since', 'caller', 'tool', 'limit'].map((n) => ({ name: n, in: 'query', required: false, schema: { type: 'string' } })),
      responses: ok('Audit records'),
    },
  },
  '/admin/cache': { delete: { ...admin, summary: 'Drop every cached answer', responses: ok('Cleared') } },
  '/admin/cache/{tool}': {
    delete: { ...admin, summary: "Drop one tool's cached answers", parameters: [{ ...name, name: 'tool' }], responses: ok('Cleared') },
  },
};
