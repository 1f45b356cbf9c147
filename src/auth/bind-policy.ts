// Startup rule: anonymous serving only on loopback. A non-loopback bind without client keys or OAuth
// is refused unless explicitly overridden (NEXUS_ALLOW_UNAUTHENTICATED=true).
import { NexusError } from '../errors.ts';
import { isLoopback } from '../http/guards.ts';

export interface BindPolicy {
  /** Pass to createAuthenticator: anonymous calls are allowed while no key or OAuth is configured. */
  readonly allowAnonymous: boolean;
  /** A line for the start-up log, when the server runs without authentication. */
  readonly notice?: string;
}

export function assertBindPolicy(opts: { host: string; authConfigured: boolean; allowInsecure: boolean }): BindPolicy {
  const loopback = isLoopback(opts.host);
  const allowAnonymous = loopback || opts.allowInsecure;
  if (opts.authConfigured) return { allowAnonymous };
  if (loopback) return { allowAnonymous, notice: `serving anonymously on loopback ${opts.host}: no client key or OAuth configured` };
  if (opts.allowInsecure) {
    return {
      allowAnonymous,
      notice: `serving ${opts.host} WITHOUT authentication (NEXUS_ALLOW_UNAUTHENTICATED=true): anyone who can reach it may call every tool`,
    };
  }
  throw new NexusError(
    'INVALID_CONFIG',
    `refusing to serve ${opts.host} without authentication: create a client key (nexus keys create NAME), ` +
      'configure OAuth (NEXUS_OAUTH_ISSUER, NEXUS_OAUTH_AUDIENCE), bind 127.0.0.1, or set NEXUS_ALLOW_UNAUTHENTICATED=true',
  );
}
