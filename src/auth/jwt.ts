// OAuth 2.1 resource server: validates access tokens (JWT) from the configured issuer against its
// JWKS. Asymmetric algorithms only, so nobody holding a shared secret can mint tokens; `none` never.
import type { createRemoteJWKSet, JWTPayload } from 'jose';
import type { Config } from '../config/config.ts';
import { NexusError } from '../errors.ts';
import { discoverJwksUrl, type FetchLike } from './oauth-discovery.ts';

// Loaded when OAuth is configured (a verifier is created), not by every gateway
const jose = () => require('jose') as typeof import('jose');

export const ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA', 'Ed25519'];
const SKEW_SECONDS = 60;

export interface OAuthConfig {
  readonly issuer: string;
  readonly audience: string;
  readonly jwksUrl?: string;
}

export interface JwtVerifierOptions {
  readonly fetch?: FetchLike;
  /** Minimum time between JWKS fetches triggered by an unknown `kid` (default 30s). */
  readonly jwksCooldownMs?: number;
  /** Scopes advertised in the protected-resource metadata (e.g. from the access rules). */
  readonly scopes?: readonly string[];
}

export interface ResourceMetadata {
  readonly resource: string;
  readonly authorization_servers: readonly string[];
  readonly bearer_methods_supported: readonly string[];
  readonly scopes_supported?: readonly string[];
}

export interface JwtVerifier {
  readonly config: OAuthConfig;
  /** The token's claims; throws UNAUTHORIZED for any invalid token, UNAVAILABLE when the JWKS is unreachable. */
  verify(token: string): Promise<JWTPayload & { sub: string }>;
  /** RFC 9728 document served at /.well-known/oauth-protected-resource. */
  protectedResourceMetadata(resourceUrl: string): ResourceMetadata;
}

/** OAuth settings from the Config (validated there); undefined when OAuth is not configured. */
export function oauthConfigOf(config: Pick<Config, 'oauthIssuer' | 'oauthAudience' | 'oauthJwksUrl'>): OAuthConfig | undefined {
  const { oauthIssuer: issuer, oauthAudience: audience, oauthJwksUrl: jwksUrl } = config;
  if (!issuer || !audience) return undefined;
  return { issuer, audience, ...(jwksUrl && { jwksUrl }) };
}

// jose error codes that mean "this token is not acceptable"; any other failure is ours or the IdP's.
const TOKEN_ERRORS = new Set([
  'ERR_JWT_EXPIRED',
  'ERR_JWT_CLAIM_VALIDATION_FAILED',
  'ERR_JOSE_ALG_NOT_ALLOWED',
  'ERR_JOSE_NOT_SUPPORTED',
  'ERR_JWS_INVALID',
  'ERR_JWT_INVALID',
  'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  'ERR_JWKS_NO_MATCHING_KEY',
  'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
  'ERR_JWK_INVALID',
]);

function toError(e: unknown): NexusError {
  if (e instanceof NexusError) return e;
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && TOKEN_ERRORS.has(code)) {
    return new NexusError('UNAUTHORIZED', code === 'ERR_JWT_EXPIRED' ? 'token expired' : 'invalid token', { cause: e });
  }
  return new NexusError('UNAVAILABLE', 'cannot fetch the token signing keys', { cause: e });
}

export function createJwtVerifier(config: OAuthConfig, opts: JwtVerifierOptions = {}): JwtVerifier {
  const fetchFn = opts.fetch ?? fetch;
  let keySet: Promise<ReturnType<typeof createRemoteJWKSet>> | undefined;
  const keys = () =>
    (keySet ??= (async () => {
      const url = config.jwksUrl ? new URL(config.jwksUrl) : await discoverJwksUrl(config.issuer, fetchFn);
      const j = jose();
      return j.createRemoteJWKSet(url, {
        cooldownDuration: opts.jwksCooldownMs ?? 30_000,
        [j.customFetch]: (u, init) => fetchFn(u, init),
      });
    })().catch((e: unknown) => {
      keySet = undefined; // retry discovery on the next token
      throw e;
    }));

  return {
    config,
    async verify(token) {
      if (token.split('.').length !== 3) throw new NexusError('UNAUTHORIZED', 'invalid token');
      try {
        const { payload } = await jose().jwtVerify(token, await keys(), {
          issuer: config.issuer,
          audience: config.audience,
          algorithms: ALGORITHMS,
          clockTolerance: SKEW_SECONDS,
          requiredClaims: ['exp', 'sub'],
        });
        return payload as JWTPayload & { sub: string };
      } catch (e) {
        throw toError(e);
      }
    },
    protectedResourceMetadata: (resource) => ({
      resource,
      authorization_servers: [config.issuer],
      bearer_methods_supported: ['header'],
      ...(opts.scopes?.length && { scopes_supported: [...opts.scopes] }),
    }),
  };
}
