// Who is calling: a client key (`nxs_...`) or an OAuth access token in `Authorization: Bearer`, or
// anonymous when nothing is configured. The token is only read here; it is never forwarded.
import { ANONYMOUS, type Caller } from '../caller.ts';
import { NexusError } from '../errors.ts';
import type { JwtVerifier } from './jwt.ts';
import { KEY_PREFIX, type KeyService } from './keys.ts';
import type { AccessRules } from './rules.ts';

export { assertBindPolicy, type BindPolicy } from './bind-policy.ts';

export interface AuthenticatorOptions {
  readonly keys: Pick<KeyService, 'verify' | 'hasAnyKey'>;
  readonly jwt?: JwtVerifier;
  /** Maps token claims to tools; without rules a valid token may use every tool. */
  readonly rules?: AccessRules;
  /** From the bind policy: anonymous calls are possible at all (loopback or explicit override). */
  readonly allowAnonymous: boolean;
  /**
   * Absolute URL of /.well-known/oauth-protected-resource for a request (from its headers), named in
   * every 401 when OAuth is configured. Without OAuth no metadata is advertised: an OAuth-capable
   * client would look for an authorization server that does not exist instead of sending its key.
   */
  readonly resourceMetadataUrl?: (headers: Headers) => string;
}

/** What a 401 tells a client to send, with and without OAuth. */
export const SEND_KEY = 'send Authorization: Bearer <client key> (create one with `nexus keys create`)';
const SEND_KEY_OR_TOKEN = 'send Authorization: Bearer <client key or OAuth access token>';

export interface Authenticator {
  /** The caller; throws UNAUTHORIZED (401) or FORBIDDEN (403) with `details.wwwAuthenticate`. */
  authenticate(headers: Headers): Promise<Caller>;
}

const ALL_TOOLS: readonly string[] = Object.freeze(['*']);

export function createAuthenticator(opts: AuthenticatorOptions): Authenticator {
  const metadataUrl = opts.jwt ? opts.resourceMetadataUrl : undefined;
  const send = opts.jwt ? SEND_KEY_OR_TOKEN : SEND_KEY;
  const challenge = (headers: Headers, error?: 'invalid_token' | 'insufficient_scope') => {
    const params = metadataUrl
      ? [`resource_metadata="${metadataUrl(headers)}"`]
      : ['realm="nexus"', `error_description="${send.replaceAll('`', '')}"`];
    return `Bearer ${[...params, ...(error ? [`error="${error}"`] : [])].join(', ')}`;
  };
  const unauthorized = (headers: Headers, message: string, error?: 'invalid_token') =>
    new NexusError('UNAUTHORIZED', `${message}: ${send}`, { details: { wwwAuthenticate: challenge(headers, error) } });

  async function fromToken(token: string, headers: Headers): Promise<Caller> {
    let claims: Awaited<ReturnType<NonNullable<typeof opts.jwt>['verify']>>;
    try {
      claims = await opts.jwt!.verify(token);
    } catch (e) {
      if (e instanceof NexusError && e.code === 'UNAUTHORIZED') throw unauthorized(headers, e.message, 'invalid_token');
      throw e;
    }
    const tools = opts.rules ? opts.rules.toolsFor(claims) : ALL_TOOLS;
    if (!tools.length) {
      throw new NexusError('FORBIDDEN', 'the token grants no tool', {
        details: { wwwAuthenticate: challenge(headers, 'insufficient_scope') },
      });
    }
    return { id: `sub:${claims.sub}`, kind: 'token', name: claims.sub, tools, claims };
  }

  return {
    async authenticate(headers) {
      const header = headers.get('authorization');
      if (!header) {
        if (opts.allowAnonymous && !opts.jwt && !(await opts.keys.hasAnyKey())) return ANONYMOUS;
        throw unauthorized(headers, 'authentication required');
      }
      const m = /^Bearer[ ]+([A-Za-z0-9\-._~+/]+=*)[ ]*$/i.exec(header);
      if (!m) throw unauthorized(headers, 'malformed Authorization header', 'invalid_token');
      const token = m[1]!;
      if (token.startsWith(KEY_PREFIX)) {
        const key = await opts.keys.verify(token);
        if (!key) throw unauthorized(headers, 'invalid, expired or revoked key', 'invalid_token');
        return { id: `key:${key.name}`, kind: 'key', name: key.name, tools: key.tools };
      }
      if (opts.jwt) return fromToken(token, headers);
      throw unauthorized(headers, `not a client key (keys start with ${KEY_PREFIX})`, 'invalid_token');
    },
  };
}
