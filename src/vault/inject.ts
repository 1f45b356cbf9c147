// Puts a vault credential into an outgoing backend request, resolved per call for the caller.
import type { Caller } from '../caller.ts';
import { isNexusError, NexusError } from '../errors.ts';
import type { ApplyAuth, CredentialIdentity } from '../invoke/types.ts';
import type { AuthSpec } from '../registry/spec.ts';
import { expectType } from './fields.ts';
import type { TokenManager } from './tokens.ts';
import type { ResolvedCredential, Vault } from './vault.ts';

type Auth = Exclude<AuthSpec, { type: 'none' }>;

export interface AuthInjectorDeps {
  vault: Pick<Vault, 'resolve' | 'lookup'>;
  tokens: Pick<TokenManager, 'accessToken'>;
}

export function createAuthInjector(deps: AuthInjectorDeps): { applyAuth: ApplyAuth; credentialIdentity: CredentialIdentity } {
  const resolve = async (auth: Auth, caller: Caller): Promise<ResolvedCredential> => {
    let cred: ResolvedCredential | undefined;
    try {
      cred = await deps.vault.resolve(auth.credential, caller.id);
    } catch (e) {
      if (!isNexusError(e) || e.code !== 'NOT_FOUND') throw e;
    }
    expectType(auth.credential, cred, auth.type);
    return cred!;
  };

  const applyAuth: ApplyAuth = async (auth, caller, req, attempt) => {
    switch (auth.type) {
      case 'basic': {
        const { username, password } = (await resolve(auth, caller)).secret;
        req.headers.set('authorization', `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`);
        return;
      }
      case 'bearer':
        req.headers.set('authorization', `Bearer ${(await resolve(auth, caller)).secret.token}`);
        return;
      case 'api_key': {
        const { key } = (await resolve(auth, caller)).secret;
        if (auth.header) req.headers.set(auth.header, key!);
        else if (auth.query) req.url.searchParams.set(auth.query, key!);
        else throw new NexusError('INVALID_CONFIG', `api_key auth for credential "${auth.credential}" names no header or query`);
        return;
      }
      case 'oauth2_client_credentials':
      case 'oauth2_refresh_token': {
        const token = await deps.tokens.accessToken(auth, caller.id, { force: attempt === 2 });
        req.headers.set('authorization', `Bearer ${token}`);
        return;
      }
    }
  };

  const credentialIdentity: CredentialIdentity = async (auth, caller) => {
    const found = await deps.vault.lookup(auth.credential, caller.id);
    expectType(auth.credential, found, auth.type);
    return `${found!.name}@${found!.version}${found!.principal ? `#${found!.principal}` : ''}`;
  };

  return { applyAuth, credentialIdentity };
}
