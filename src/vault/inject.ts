// Resolves a vault credential per call for the caller into what the call carries (headers, query, or
// a stdio child's environment), returned as data: each invoker applies it to its own kind of request.
import type { Caller } from '../caller.ts';
import { isNexusError, NexusError } from '../errors.ts';
import type { CredentialIdentity, InjectCredential, Injected, TargetAuth } from '../invoke/types.ts';
import { expectType } from './fields.ts';
import type { TokenManager } from './tokens.ts';
import type { ResolvedCredential, Vault } from './vault.ts';

export interface AuthInjectorDeps {
  vault: Pick<Vault, 'resolve' | 'lookup'>;
  tokens: Pick<TokenManager, 'accessToken'>;
}

const header = (name: string, value: string, ...secrets: string[]): Injected => ({
  headers: { [name]: value },
  query: {},
  env: {},
  secrets: [value, ...secrets],
});

/** A stdio child's environment variable carrying the secret alone (no "Bearer " prefix). */
const env = (name: string, value: string): Injected => ({ headers: {}, query: {}, env: { [name]: value }, secrets: [value] });

export function createAuthInjector(deps: AuthInjectorDeps): { inject: InjectCredential; credentialIdentity: CredentialIdentity } {
  const resolve = async (auth: TargetAuth, caller: Caller): Promise<ResolvedCredential> => {
    let cred: ResolvedCredential | undefined;
    try {
      cred = await deps.vault.resolve(auth.credential, caller.id);
    } catch (e) {
      if (!isNexusError(e) || e.code !== 'NOT_FOUND') throw e;
    }
    expectType(auth.credential, cred, auth.type);
    return cred!;
  };

  const inject: InjectCredential = async (auth, caller, attempt) => {
    switch (auth.type) {
      case 'basic': {
        const { username, password } = (await resolve(auth, caller)).secret;
        const encoded = Buffer.from(`${username}:${password}`).toString('base64');
        return header('authorization', `Basic ${encoded}`, encoded, password!);
      }
      case 'bearer': {
        const { token } = (await resolve(auth, caller)).secret;
        if (auth.env) return env(auth.env, token!);
        return header('authorization', `Bearer ${token}`, token!);
      }
      case 'api_key': {
        const { key } = (await resolve(auth, caller)).secret;
        if (auth.env) return env(auth.env, key!);
        if (auth.header) return header(auth.header.toLowerCase(), key!);
        if (auth.query) return { headers: {}, query: { [auth.query]: key! }, env: {}, secrets: [key!] };
        throw new NexusError('INVALID_CONFIG', `api_key auth for credential "${auth.credential}" names no header or query`);
      }
      case 'oauth2_client_credentials':
      case 'oauth2_refresh_token': {
        const token = await deps.tokens.accessToken(auth, caller.id, { force: attempt === 2 });
        return header('authorization', `Bearer ${token}`, token);
      }
    }
  };

  const credentialIdentity: CredentialIdentity = async (auth, caller) => {
    const found = await deps.vault.lookup(auth.credential, caller.id);
    expectType(auth.credential, found, auth.type);
    return `${found!.name}@${found!.version}${found!.principal ? `#${found!.principal}` : ''}`;
  };

  return { inject, credentialIdentity };
}
