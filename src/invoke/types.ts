// What the invokers need from the rest of the product, passed in by app.ts.
import type { Caller } from '../caller.ts';
import type { AuthSpec } from '../registry/spec.ts';

/** A backend request as built from a template; the injected credential is added when it is sent. */
export interface OutgoingRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: Headers;
  readonly body?: string;
}

/** What one credential injection adds to a call, and the secret values to mask in what comes back. */
export interface Injected {
  readonly headers: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
  /** For a stdio child process (its environment), when the auth block names variables. */
  readonly env: Readonly<Record<string, string>>;
  /** Every injected value and its parts (the token after "Bearer ", a key): masked in answers. */
  readonly secrets: readonly string[];
}

export const NOTHING_INJECTED: Injected = Object.freeze({ headers: {}, query: {}, env: {}, secrets: [] });

export type TargetAuth = Exclude<AuthSpec, { type: 'none' }>;

/**
 * Resolves the credential of an auth block for a caller into what a call carries. `attempt` is 1
 * normally and 2 when the target answered 401 to attempt 1 (OAuth: force one token refresh). Throws
 * NexusError (CREDENTIAL_ERROR) when the credential is missing or unusable; never a secret in a message.
 */
export type InjectCredential = (auth: TargetAuth, caller: Caller, attempt: 1 | 2) => Promise<Injected>;

/**
 * The identity of the credential a call would use (`name@version` plus the principal for a per-user
 * credential), part of the cache key so callers never share answers fetched with another's credential.
 */
export type CredentialIdentity = (auth: TargetAuth, caller: Caller) => Promise<string>;

/** Applies what was injected to a request (headers set, query parameters set). */
export function withInjected(req: OutgoingRequest, injected: Injected): OutgoingRequest {
  for (const [k, v] of Object.entries(injected.headers)) req.headers.set(k, v);
  for (const [k, v] of Object.entries(injected.query)) req.url.searchParams.set(k, v);
  return req;
}
