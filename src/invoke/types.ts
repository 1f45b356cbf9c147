// What the HTTP invoker needs from the rest of the product, passed in by app.ts.
import type { Caller } from '../caller.ts';
import type { AuthSpec } from '../registry/spec.ts';

/** A backend request as built from a template; auth injection may add headers or query params. */
export interface OutgoingRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: Headers;
  readonly body?: string;
}

/**
 * Injects the backend credential into a request at call time. `attempt` is 1 normally and 2 when the
 * backend answered 401 to attempt 1 (OAuth: force one token refresh). Throws NexusError
 * (CREDENTIAL_ERROR) when the credential is missing or unusable; never puts a secret in a message.
 */
export type ApplyAuth = (auth: Exclude<AuthSpec, { type: 'none' }>, caller: Caller, req: OutgoingRequest, attempt: 1 | 2) => Promise<void>;

/**
 * The identity of the credential a call would use (`name@version` plus the principal for a per-user
 * credential), part of the cache key so callers never share answers fetched with another's credential.
 */
export type CredentialIdentity = (auth: Exclude<AuthSpec, { type: 'none' }>, caller: Caller) => Promise<string>;
