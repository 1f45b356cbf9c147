// OAuth2 access tokens for vault credentials (client credentials, refresh token grants): cached until
// shortly before expiry, one request per token across all instances (an in-process flight, then a
// cluster lock under which the cache and the stored refresh token are read again), and a rotated
// refresh token stored before the lock is released, so no instance ever presents a used one.
import { createHash } from 'node:crypto';
import { NexusError } from '../errors.ts';
import { type Logger, silentLogger } from '../log.ts';
import type { AuthSpec } from '../registry/spec.ts';
import { expectType } from './fields.ts';
import type { SecretIndex } from './secret-index.ts';
import type { TokenCache } from './token-cache.ts';
import type { ResolvedCredential, Vault } from './vault.ts';

export type OAuthAuth = Extract<AuthSpec, { type: 'oauth2_client_credentials' | 'oauth2_refresh_token' }>;

export interface TokenManagerDeps {
  vault: Pick<Vault, 'lookup' | 'resolve' | 'put'>;
  cache: TokenCache;
  /** Runs fn while holding a cluster-wide lock named `key` (shared mode); in process, the flight map suffices. */
  lock?: <T>(key: string, fn: () => Promise<T>) => Promise<T>;
  /** Where issued access tokens are recorded for redaction (the vault's index). */
  secrets?: Pick<SecretIndex, 'set'>;
  log?: Logger;
  fetch?: (req: Request) => Promise<Response>;
  now?: () => number;
  timeoutMs?: number;
}

const DEFAULT_LIFETIME_S = 300;
const form = (s: string) => encodeURIComponent(s).replace(/%20/g, '+'); // RFC 6749 2.3.1

export class TokenManager {
  private readonly inflight = new Map<string, Promise<string>>();
  private readonly log: Logger;
  private readonly now: () => number;

  constructor(private readonly deps: TokenManagerDeps) {
    this.log = deps.log ?? silentLogger;
    this.now = deps.now ?? Date.now;
  }

  /** A usable access token; `force`: the backend said 401 to the one we have, get another. */
  async accessToken(auth: OAuthAuth, principalId?: string, opts: { force?: boolean } = {}): Promise<string> {
    const key = await this.key(auth, principalId);
    const hit = await this.cached(key);
    if (hit && !opts.force) return hit;
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.refresh(auth, principalId, key, opts.force ? hit : undefined).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    return pending;
  }

  private async cached(key: string): Promise<string | undefined> {
    const hit = await this.cache('get', () => this.deps.cache.get(key));
    if (!hit || hit.expiresAt <= this.now()) return undefined;
    this.deps.secrets?.set(`token\n${key}`, [hit.token]); // perhaps issued to another instance
    return hit.token;
  }

  /** Under the lock, a token another instance fetched meanwhile (not the rejected one) wins over a new request. */
  private refresh(auth: OAuthAuth, principalId: string | undefined, key: string, rejected: string | undefined): Promise<string> {
    const run = async () => {
      const now = await this.cached(key);
      if (now && now !== rejected) return now;
      return this.fetchToken(auth, principalId, key);
    };
    return this.deps.lock ? this.deps.lock(`oauth-token:${key}`, run) : run();
  }

  /** Forgets the cached token so the next call fetches a new one. */
  async invalidate(auth: OAuthAuth, principalId?: string): Promise<void> {
    const key = await this.key(auth, principalId);
    await this.cache('delete', () => this.deps.cache.delete(key));
  }

  /** One cache entry per credential row (owner principal, not caller), endpoint, scopes and audience. */
  private async key(auth: OAuthAuth, principalId?: string): Promise<string> {
    const found = await this.deps.vault.lookup(auth.credential, principalId);
    expectType(auth.credential, found, auth.type);
    const scopes = [...(auth.scopes ?? [])].sort();
    const audience = 'audience' in auth ? (auth.audience ?? null) : null;
    const id = JSON.stringify([auth.type, auth.token_url, auth.credential, found!.principal, scopes, audience]);
    return createHash('sha256').update(id).digest('hex');
  }

  private async cache<T>(op: string, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (e) {
      this.log.warn('token cache unavailable', { op, error: e });
      return undefined;
    }
  }

  private async fetchToken(auth: OAuthAuth, principalId: string | undefined, key: string): Promise<string> {
    // read under the lock: the refresh token another instance rotated a moment ago, never a cached one
    const cred = await this.deps.vault.resolve(auth.credential, principalId, { fresh: true });
    const { client_id, client_secret, refresh_token } = cred.secret;
    const body = new URLSearchParams(
      auth.type === 'oauth2_refresh_token'
        ? { grant_type: 'refresh_token', refresh_token: refresh_token! }
        : { grant_type: 'client_credentials' },
    );
    if (auth.scopes?.length) body.set('scope', auth.scopes.join(' '));
    if ('audience' in auth && auth.audience) body.set('audience', auth.audience);
    const req = new Request(auth.token_url, {
      method: 'POST',
      body,
      headers: {
        authorization: `Basic ${Buffer.from(`${form(client_id!)}:${form(client_secret!)}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      signal: AbortSignal.timeout(this.deps.timeoutMs ?? 10_000),
    });
    const what = `the token endpoint for credential "${auth.credential}"`;
    let res: Response;
    try {
      res = await (this.deps.fetch ?? fetch)(req);
    } catch (e) {
      throw new NexusError('CREDENTIAL_ERROR', `${what} is unreachable`, { cause: e });
    }
    const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (!res.ok) {
      const code = typeof json.error === 'string' && /^[a-z_]{1,64}$/.test(json.error) ? ` (${json.error})` : '';
      throw new NexusError('CREDENTIAL_ERROR', `${what} answered ${res.status}${code}`);
    }
    if (typeof json.access_token !== 'string' || !json.access_token) {
      throw new NexusError('CREDENTIAL_ERROR', `${what} answered without an access_token`);
    }
    this.deps.secrets?.set(`token\n${key}`, [json.access_token]);
    await this.storeRotated(cred, json.refresh_token);
    const lifetimeMs = (Number(json.expires_in) > 0 ? Number(json.expires_in) : DEFAULT_LIFETIME_S) * 1000;
    const ttlMs = lifetimeMs - Math.min(30_000, lifetimeMs / 10);
    await this.cache('set', () => this.deps.cache.set(key, { token: json.access_token as string, expiresAt: this.now() + ttlMs }, ttlMs));
    this.log.debug('access token fetched', { credential: auth.credential, ttlMs });
    return json.access_token;
  }

  private async storeRotated(cred: ResolvedCredential, next: unknown): Promise<void> {
    if (cred.type !== 'oauth2_refresh_token' || typeof next !== 'string' || !next || next === cred.secret.refresh_token) return;
    await this.deps.vault.put(cred.name, cred.type, { ...cred.secret, refresh_token: next }, cred.principal ?? undefined);
    this.log.info('rotated refresh token stored', { credential: cred.name, principal: cred.principal });
  }
}
