// A stand-in identity provider: OpenID discovery + JWKS on a local port, keys generated per test file.
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';

export interface SigningKey {
  readonly kid: string;
  readonly alg: string;
  readonly privateKey: CryptoKey;
  readonly jwk: JWK;
}

export async function signingKey(kid: string, alg = 'RS256'): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, alg, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

export interface TestIssuer extends AsyncDisposable {
  readonly issuer: string;
  readonly jwksUrl: string;
  /** Keys published in the JWKS; change it to rotate. */
  published: SigningKey[];
  /** JWKS documents served so far. */
  jwksFetches: number;
  sign(key: SigningKey, claims: JWTPayload, opts?: { audience?: string; expiresIn?: string | number; issuer?: string }): Promise<string>;
}

export async function startIssuer(published: SigningKey[]): Promise<TestIssuer> {
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    fetch(req) {
      const path = new URL(req.url).pathname;
      if (path === '/.well-known/openid-configuration') return Response.json({ issuer: state.issuer, jwks_uri: state.jwksUrl });
      if (path === '/jwks') {
        state.jwksFetches++;
        return Response.json({ keys: state.published.map((k) => k.jwk) });
      }
      return new Response('not found', { status: 404 });
    },
  });
  const origin = `http://127.0.0.1:${server.port}`;
  const state: TestIssuer = {
    issuer: origin,
    jwksUrl: `${origin}/jwks`,
    published,
    jwksFetches: 0,
    sign: (key, claims, opts = {}) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt' })
        .setIssuer(opts.issuer ?? origin)
        .setAudience(opts.audience ?? 'https://nexus.test/mcp')
        .setIssuedAt()
        .setExpirationTime(opts.expiresIn ?? '5m')
        .sign(key.privateKey),
    [Symbol.asyncDispose]: () => server.stop(true),
  };
  return state;
}
