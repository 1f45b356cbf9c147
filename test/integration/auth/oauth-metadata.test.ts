// What a 401 tells OAuth-capable clients: with client keys only, to send a key (no metadata, so
// mcp-remote's sign-in ends with that sentence); with OAuth, the metadata at the URL clients reach.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { startGateway, type TestGateway } from '../../helpers/gateway.ts';
import { mcpRemoteFailure } from '../../helpers/legacy-clients.ts';
import { rawPost } from '../../helpers/mcp-client.ts';
import { pingFixture } from '../mcp/ping-fixture.ts';
import { signingKey, startIssuer, type TestIssuer } from './issuer.ts';

const { backend, dir } = pingFixture();
const list = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} });
let idp: TestIssuer;
beforeAll(async () => {
  idp = await startIssuer([await signingKey('k1')]);
});
afterAll(async () => {
  await idp[Symbol.asyncDispose]();
  backend.stop();
});

describe('client keys only', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway({ toolsDir: dir });
    await gw.app.services.keys.create('alice', { tools: ['*'] });
  });
  afterAll(() => gw.stop());

  test('a 401 says to send a client key and names no metadata; none is served', async () => {
    const res = await rawPost(gw.mcpUrl, list);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).not.toContain('resource_metadata');
    expect(res.json.error.message).toBe(
      'authentication required: send Authorization: Bearer <client key> (create one with `nexus keys create`)',
    );
    expect((await fetch(`${gw.url}/.well-known/oauth-protected-resource`)).status).toBe(404);
  });

  test('mcp-remote fails saying to send a client key, not with a bare registration 404', async () => {
    const stderr = await mcpRemoteFailure(gw.mcpUrl.href);
    expect(stderr).toContain('this Nexus does not use OAuth: send Authorization: Bearer <client key>');
    expect(stderr).not.toContain('NOT_FOUND');
  });
});

describe('OAuth configured', () => {
  const oauth = () => ({ NEXUS_OAUTH_ISSUER: idp.issuer, NEXUS_OAUTH_AUDIENCE: 'http://nexus.test/mcp' });
  const challengeOf = async (url: URL, headers: Record<string, string> = {}) =>
    /resource_metadata="([^"]+)"/.exec((await rawPost(url, list, headers)).headers.get('www-authenticate') ?? '')?.[1];

  test('with --port 0 the 401 names the metadata on the bound port, which names the issuer', async () => {
    await using gw = await startGateway({ toolsDir: dir, env: oauth() });
    const url = await challengeOf(gw.mcpUrl);
    expect(url).toBe(`${gw.url}/.well-known/oauth-protected-resource`);
    expect(await (await fetch(url!)).json()).toEqual({
      resource: `${gw.url}/mcp`,
      authorization_servers: [idp.issuer],
      bearer_methods_supported: ['header'],
    });
  });

  test('bound to 0.0.0.0 without NEXUS_PUBLIC_URL, the URL is the one the client used', async () => {
    await using gw = await startGateway({ toolsDir: dir, env: oauth(), flags: { host: '0.0.0.0' } });
    const port = gw.server.port;
    const url = await challengeOf(new URL(`http://127.0.0.1:${port}/mcp`));
    expect(url).toBe(`http://127.0.0.1:${port}/.well-known/oauth-protected-resource`);
    const viaLocalhost = await challengeOf(new URL(`http://localhost:${port}/mcp`));
    expect(viaLocalhost).toBe(`http://localhost:${port}/.well-known/oauth-protected-resource`);
  });

  test('NEXUS_PUBLIC_URL wins over the request', async () => {
    await using gw = await startGateway({ toolsDir: dir, env: { ...oauth(), NEXUS_PUBLIC_URL: 'https://mcp.example.com/' } });
    expect(await challengeOf(gw.mcpUrl)).toBe('https://mcp.example.com/.well-known/oauth-protected-resource');
  });

  test('mcp-remote finds the authorization server through the metadata', async () => {
    await using gw = await startGateway({ toolsDir: dir, env: oauth() });
    const stderr = await mcpRemoteFailure(gw.mcpUrl.href);
    expect(stderr).toContain(`Discovered authorization server: ${idp.issuer}`);
  });
});
