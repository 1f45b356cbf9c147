// Finds an issuer's JWKS URL from its metadata: OpenID Connect discovery first, then RFC 8414.
import { NexusError } from '../errors.ts';

export type FetchLike = (url: string, init?: RequestInit) => Promise<Response>;

const trim = (url: string) => url.replace(/\/+$/, '');

/** Metadata URLs to try for an issuer, in order. */
export function metadataUrls(issuer: string): string[] {
  const u = new URL(issuer);
  const path = trim(u.pathname);
  return [
    `${trim(issuer)}/.well-known/openid-configuration`,
    `${u.origin}/.well-known/oauth-authorization-server${path}`,
    ...(path ? [`${trim(issuer)}/.well-known/oauth-authorization-server`] : []),
  ];
}

async function fetchJson(fetchFn: FetchLike, url: string): Promise<unknown> {
  const res = await fetchFn(url, { headers: { accept: 'application/json' }, redirect: 'manual', signal: AbortSignal.timeout(5000) });
  if (!res.ok) {
    await res.body?.cancel();
    return undefined;
  }
  return res.json().catch(() => undefined);
}

/** The issuer's `jwks_uri`; the document must name the same issuer (mix-up protection). */
export async function discoverJwksUrl(issuer: string, fetchFn: FetchLike = fetch): Promise<URL> {
  for (const url of metadataUrls(issuer)) {
    let doc: unknown;
    try {
      doc = await fetchJson(fetchFn, url);
    } catch {
      continue;
    }
    if (!doc || typeof doc !== 'object') continue;
    const { issuer: named, jwks_uri: jwks } = doc as { issuer?: unknown; jwks_uri?: unknown };
    if (typeof named !== 'string' || trim(named) !== trim(issuer)) {
      throw new NexusError('UNAVAILABLE', `metadata at ${url} names another issuer`);
    }
    if (typeof jwks !== 'string' || !URL.canParse(jwks)) throw new NexusError('UNAVAILABLE', `metadata at ${url} has no jwks_uri`);
    return new URL(jwks);
  }
  throw new NexusError('UNAVAILABLE', `no authorization server metadata found for issuer ${issuer}`);
}
