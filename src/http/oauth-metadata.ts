// RFC 9728 protected-resource metadata, served and named in every 401 only when OAuth is configured.
// With client keys alone there is no authorization server: OAuth-capable clients (mcp-remote) still
// try dynamic client registration at /register, and the refusal they show says to send a key.
import { Elysia } from 'elysia';
import { SEND_KEY } from '../auth/authenticate.ts';
import type { JwtVerifier } from '../auth/jwt.ts';

export const OAUTH_METADATA_PATH = '/.well-known/oauth-protected-resource';

const NO_OAUTH = {
  error: 'invalid_client_metadata',
  error_description: `this Nexus does not use OAuth: ${SEND_KEY}; with mcp-remote add --header "Authorization: Bearer <client key>"`,
};

export function oauthMetadataRoutes(opts: { jwt?: JwtVerifier; resource: (headers: Headers) => string }) {
  const { jwt } = opts;
  if (!jwt)
    return new Elysia({ name: 'oauth-metadata' }).post('/register', () => Response.json(NO_OAUTH, { status: 404 }), { parse: 'none' });
  const doc = ({ request }: { request: Request }) =>
    Response.json(jwt.protectedResourceMetadata(opts.resource(request.headers)), {
      headers: { 'cache-control': 'public, max-age=300', vary: 'host' },
    });
  return new Elysia({ name: 'oauth-metadata' }).get(OAUTH_METADATA_PATH, doc).get(`${OAUTH_METADATA_PATH}/mcp`, doc);
}
