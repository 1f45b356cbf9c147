// RFC 9728 protected-resource metadata, named in every 401's WWW-Authenticate header.
import { Elysia } from 'elysia';
import type { JwtVerifier } from '../auth/jwt.ts';

export function oauthMetadataRoutes(opts: { jwt?: JwtVerifier; resource: string }) {
  const doc = () =>
    Response.json(
      opts.jwt ? opts.jwt.protectedResourceMetadata(opts.resource) : { resource: opts.resource, bearer_methods_supported: ['header'] },
      {
        headers: { 'cache-control': 'public, max-age=300' },
      },
    );
  return new Elysia({ name: 'oauth-metadata' })
    .get('/.well-known/oauth-protected-resource', doc)
    .get('/.well-known/oauth-protected-resource/mcp', doc);
}
