// Security schemes -> `auth:` blocks naming a vault credential; what Nexus cannot do is reported.
import type { AuthSpec } from '../registry/schema.ts';
import { type JsonRecord, record, str } from '../util/json.ts';
import { slug } from './naming.ts';
import type { SecurityRequirement } from './types.ts';

export type CredentialAuth = Exclude<AuthSpec, { type: 'none' }>;
export type SchemeAuth = { readonly auth: CredentialAuth } | { readonly manual: string };

/** One scheme with the scopes a requirement asks for. `baseUrl` resolves a relative token URL. */
export function schemeAuth(name: string, scheme: unknown, scopes: readonly string[], credential: string, baseUrl: string): SchemeAuth {
  const s = record(scheme);
  const withScopes = scopes.length ? { scopes: [...scopes] } : {};
  switch (s.type) {
    case 'http': {
      const kind = String(s.scheme ?? '').toLowerCase();
      if (kind === 'basic' || kind === 'bearer') return { auth: { type: kind, credential } };
      return { manual: `http "${kind}" authentication (scheme ${name}) is not supported` };
    }
    case 'apiKey': {
      const param = str(s.name);
      if (param && s.in === 'header') return { auth: { type: 'api_key', credential, header: param } };
      if (param && s.in === 'query') return { auth: { type: 'api_key', credential, query: param } };
      return { manual: `API key in ${String(s.in)} (scheme ${name}) is not supported` };
    }
    case 'oauth2': {
      const flows = record(s.flows);
      const tokenUrl = str(record(flows.clientCredentials).tokenUrl);
      if (tokenUrl)
        return { auth: { type: 'oauth2_client_credentials', credential, token_url: new URL(tokenUrl, baseUrl).href, ...withScopes } };
      return {
        manual: `OAuth2 scheme ${name} has no clientCredentials flow (${Object.keys(flows).join(', ') || 'none'}): write its auth block by hand, e.g. oauth2_refresh_token`,
      };
    }
    case 'openIdConnect':
      return {
        manual: `OpenID Connect scheme ${name}: write its auth block by hand (e.g. oauth2_client_credentials with the provider's token URL)`,
      };
    case 'mutualTLS':
      return { manual: `mutual TLS scheme ${name}: set backend.tls by hand` };
    default:
      return {
        manual: `security scheme ${name} ${s.type === undefined ? 'is not defined' : `of type ${String(s.type)} is not supported`}`,
      };
  }
}

type Choice =
  | { readonly kind: 'anonymous' }
  | { readonly kind: 'auth'; readonly scheme: string; readonly auth: CredentialAuth }
  | { readonly kind: 'manual'; readonly reasons: string[] };

export interface AuthPlanOptions {
  readonly schemes: JsonRecord;
  readonly security?: readonly SecurityRequirement[];
  readonly apiSlug: string;
  /** `--auth NAME`: one credential for every scheme. */
  readonly credential?: string;
  readonly baseUrl: string;
}

export interface AuthPlan {
  readonly fileAuth?: CredentialAuth;
  readonly warnings: string[];
  /** Credential name -> auth type, for the "store these credentials" hint. */
  readonly credentials: Map<string, CredentialAuth['type']>;
  /** Tool-level auth for an operation's own security; nothing when the file-level block applies. */
  forOperation(security: readonly SecurityRequirement[] | undefined): { auth?: AuthSpec; warning?: string };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export function planAuth(opts: AuthPlanOptions): AuthPlan {
  const credentials = new Map<string, CredentialAuth['type']>();
  const warnings: string[] = [];
  const use = (auth: CredentialAuth): CredentialAuth => {
    const had = credentials.get(auth.credential);
    if (had && had !== auth.type)
      warnings.push(`credential ${auth.credential} is used as both ${had} and ${auth.type}; give one of them another name`);
    else credentials.set(auth.credential, auth.type);
    return auth;
  };
  const choose = (reqs: readonly SecurityRequirement[], prefer?: string): Choice => {
    if (!reqs.length || reqs.some((r) => !Object.keys(r).length)) return { kind: 'anonymous' };
    const reasons: string[] = [];
    const ordered = [...reqs].sort((a, b) => Number(prefer !== undefined && prefer in b) - Number(prefer !== undefined && prefer in a));
    for (const r of ordered) {
      const names = Object.keys(r);
      if (names.length > 1) {
        reasons.push(`combined schemes ${names.join(' + ')} are not supported`);
        continue;
      }
      const name = names[0]!;
      const credential = opts.credential ?? `${opts.apiSlug}-${slug(name, 'auth')}`;
      const got = schemeAuth(name, opts.schemes[name], r[name] ?? [], credential, opts.baseUrl);
      if ('auth' in got) return { kind: 'auth', scheme: name, auth: got.auth };
      reasons.push(got.manual);
    }
    return { kind: 'manual', reasons };
  };

  const global = choose(opts.security ?? []);
  const fileAuth = global.kind === 'auth' ? use(global.auth) : undefined;
  if (global.kind === 'manual') warnings.push(`authentication needs manual setup: ${global.reasons.join('; ')}`);
  // an operation that accepts the file-level scheme among others keeps using it
  const prefer = global.kind === 'auth' ? global.scheme : undefined;

  return {
    ...(fileAuth && { fileAuth }),
    warnings,
    credentials,
    forOperation(security) {
      if (security === undefined) return {};
      const c = choose(security, prefer);
      if (c.kind === 'anonymous') return fileAuth ? { auth: { type: 'none' } } : {};
      if (c.kind === 'auth') return same(c.auth, fileAuth) ? {} : { auth: use(c.auth) };
      return {
        ...(fileAuth && { auth: { type: 'none' } as const }),
        warning: `authentication needs manual setup: ${c.reasons.join('; ')}`,
      };
    },
  };
}
