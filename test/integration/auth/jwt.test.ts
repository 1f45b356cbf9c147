import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { randomBytes } from 'node:crypto';
import { base64url, SignJWT } from 'jose';
import { createJwtVerifier, type JwtVerifier } from '../../../src/auth/jwt.ts';
import { type SigningKey, signingKey, startIssuer, type TestIssuer } from './issuer.ts';

const AUDIENCE = 'https://nexus.test/mcp';
const now = () => Math.floor(Date.now() / 1000);
const rejection = async (p: Promise<unknown>) =>
  p.then(
    () => 'accepted',
    (e: { code?: string }) => e.code,
  );

let idp: TestIssuer;
let k1: SigningKey;
let verifier: JwtVerifier;

beforeAll(async () => {
  k1 = await signingKey('k1');
  idp = await startIssuer([k1]);
  verifier = createJwtVerifier({ issuer: idp.issuer, audience: AUDIENCE }); // JWKS found by discovery
});
afterAll(() => idp[Symbol.asyncDispose]());

describe('OAuth access tokens', () => {
  test('a token from the issuer for our audience is accepted and yields its claims', async () => {
    const token = await idp.sign(k1, { sub: 'user-1', scope: 'jira crm' });
    expect(await verifier.verify(token)).toMatchObject({ sub: 'user-1', scope: 'jira crm', iss: idp.issuer, aud: AUDIENCE });
  });

  test('ES256 and EdDSA signatures are accepted too', async () => {
    const es = await signingKey('es', 'ES256');
    const ed = await signingKey('ed', 'EdDSA');
    idp.published = [k1, es, ed];
    const v = createJwtVerifier({ issuer: idp.issuer, audience: AUDIENCE, jwksUrl: idp.jwksUrl });
    const subs = [];
    for (const key of [es, ed]) subs.push((await v.verify(await idp.sign(key, { sub: key.kid }))).sub);
    expect(subs).toEqual(['es', 'ed']);
    idp.published = [k1];
  });

  test('wrong audience, wrong issuer, expiry beyond the skew, future nbf and a missing sub are refused', async () => {
    const codes = [
      await rejection(verifier.verify(await idp.sign(k1, { sub: 'u' }, { audience: 'https://other.test' }))),
      await rejection(verifier.verify(await idp.sign(k1, { sub: 'u' }, { issuer: 'https://evil.test' }))),
      await rejection(verifier.verify(await idp.sign(k1, { sub: 'u' }, { expiresIn: now() - 120 }))),
      await rejection(verifier.verify(await idp.sign(k1, { sub: 'u', nbf: now() + 300 }))),
      await rejection(verifier.verify(await idp.sign(k1, { scope: 'jira' }))),
    ];
    expect(codes).toEqual(['UNAUTHORIZED', 'UNAUTHORIZED', 'UNAUTHORIZED', 'UNAUTHORIZED', 'UNAUTHORIZED']);
  });

  test('a token that expired less than 60 seconds ago is still accepted (clock skew)', async () => {
    const token = await idp.sign(k1, { sub: 'u' }, { expiresIn: now() - 30 });
    expect((await verifier.verify(token)).sub).toBe('u');
  });

  test('a bad signature, alg none and an HMAC (HS256) token are refused', async () => {
    const impostor = await signingKey('k1'); // same kid, different key
    const forged = await idp.sign(impostor, { sub: 'u' });
    const claims = { sub: 'u', iss: idp.issuer, aud: AUDIENCE, exp: now() + 300 };
    const enc = (o: object) => base64url.encode(JSON.stringify(o));
    const none = `${enc({ alg: 'none', typ: 'JWT' })}.${enc(claims)}.`;
    const hs = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: 'k1' }).sign(randomBytes(32));
    const tampered = (await idp.sign(k1, { sub: 'u' })).replace(/\.([^.]+)\./, `.${enc({ ...claims, sub: 'admin' })}.`);
    const codes = [];
    for (const t of [forged, none, hs, tampered, 'not.a.jwt', 'opaque']) codes.push(await rejection(verifier.verify(t)));
    expect(codes).toEqual(Array(6).fill('UNAUTHORIZED'));
  });

  test('an unknown kid triggers exactly one JWKS refetch, which picks up a rotated key', async () => {
    const v = createJwtVerifier({ issuer: idp.issuer, audience: AUDIENCE, jwksUrl: idp.jwksUrl }, { jwksCooldownMs: 0 });
    await v.verify(await idp.sign(k1, { sub: 'u' }));
    const afterFirst = idp.jwksFetches;
    const k2 = await signingKey('k2');
    idp.published = [k1, k2];
    expect((await v.verify(await idp.sign(k2, { sub: 'rotated' }))).sub).toBe('rotated');
    const afterRotation = idp.jwksFetches;
    const stranger = await signingKey('k3');
    const code = await rejection(v.verify(await idp.sign(stranger, { sub: 'u' })));
    await v.verify(await idp.sign(k1, { sub: 'u' })); // a known kid is served from the cache
    expect([afterRotation - afterFirst, code, idp.jwksFetches - afterRotation]).toEqual([1, 'UNAUTHORIZED', 1]);
    idp.published = [k1];
  });

  test('within the cooldown, unknown kids do not make Nexus refetch the JWKS (no fetch storms)', async () => {
    const v = createJwtVerifier({ issuer: idp.issuer, audience: AUDIENCE, jwksUrl: idp.jwksUrl });
    await v.verify(await idp.sign(k1, { sub: 'u' }));
    const before = idp.jwksFetches;
    const stranger = await signingKey('k9');
    for (let i = 0; i < 5; i++) await rejection(v.verify(await idp.sign(stranger, { sub: 'u' })));
    expect(idp.jwksFetches).toBe(before);
  });

  test('an unreachable JWKS is UNAVAILABLE, not a client error', async () => {
    const v = createJwtVerifier({ issuer: idp.issuer, audience: AUDIENCE, jwksUrl: `${idp.issuer}/missing` });
    expect(await rejection(v.verify(await idp.sign(k1, { sub: 'u' })))).toBe('UNAVAILABLE');
  });

  test('the protected-resource metadata names the resource, the issuer and the scopes', () => {
    const v = createJwtVerifier({ issuer: idp.issuer, audience: AUDIENCE }, { scopes: ['jira', 'crm'] });
    expect(v.protectedResourceMetadata(AUDIENCE)).toEqual({
      resource: AUDIENCE,
      authorization_servers: [idp.issuer],
      bearer_methods_supported: ['header'],
      scopes_supported: ['jira', 'crm'],
    });
  });
});
