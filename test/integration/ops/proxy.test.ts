// Outbound calls through a forward proxy: per-backend `proxy:`, HTTP(S)_PROXY from the gateway's env,
// NO_PROXY bypass. The proxy records every request and tunnel it carried.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { rmSync } from 'node:fs';
import type { Client } from '@modelcontextprotocol/client';
import { startBackend } from '../../helpers/backend.ts';
import { startGateway, type TestGateway, toolsDir } from '../../helpers/gateway.ts';
import { connect, REVISIONS } from '../../helpers/mcp-client.ts';
import { makePki } from './certs.ts';
import { callTool, postToolCall, spawnServe, toolFile } from './fixture.ts';
import { type ForwardProxy, startForwardProxy } from './forward-proxy.ts';

const pki = makePki();
const plain = startBackend((_req, url) => Response.json({ path: url.pathname }));
const secure = Bun.serve({
  port: 0,
  hostname: '127.0.0.1',
  tls: { cert: pki.pem('server.crt'), key: pki.pem('server.key') },
  fetch: (req) => Response.json({ path: new URL(req.url).pathname }),
});
const secureUrl = `https://127.0.0.1:${secure.port}`;
const plainHost = new URL(plain.url).host;

let envProxy: ForwardProxy;
let backendProxy: ForwardProxy;
const gateways: TestGateway[] = [];
const clients: Client[] = [];
async function gateway(files: Record<string, string>, env: Record<string, string>): Promise<Client> {
  const gw = await startGateway({ toolsDir: toolsDir(files), env });
  gateways.push(gw);
  const client = await connect(gw.mcpUrl, REVISIONS[0]!);
  clients.push(client);
  return client;
}

let viaEnv: Client;
let withNoProxy: Client;
beforeAll(async () => {
  envProxy = await startForwardProxy();
  backendProxy = await startForwardProxy();
  viaEnv = await gateway(
    {
      'plain.yaml': toolFile('env_http', plain.url),
      'secure.yaml': toolFile('env_https', secureUrl, `tls: { ca_file: ${pki.file('ca.crt')} }`),
    },
    { HTTP_PROXY: envProxy.url, HTTPS_PROXY: envProxy.url },
  );
  withNoProxy = await gateway(
    {
      'plain.yaml': toolFile('no_proxy_direct', plain.url),
      'own.yaml': toolFile('own_proxy', plain.url.replace('127.0.0.1', 'localhost'), `proxy: ${backendProxy.url}`),
    },
    { HTTP_PROXY: envProxy.url, NO_PROXY: 'localhost,127.0.0.1' },
  );
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(gateways.map((g) => g.stop()));
  envProxy?.stop();
  backendProxy?.stop();
  plain.stop();
  secure.stop(true);
  rmSync(pki.dir, { recursive: true, force: true });
});

describe('HTTP_PROXY / HTTPS_PROXY in the gateway environment', () => {
  test('an http:// backend call is relayed by the proxy in absolute form', async () => {
    envProxy.seen.length = 0;
    expect({ result: await callTool(viaEnv, 'env_http'), seen: envProxy.seen }).toEqual({
      result: { isError: false, text: '{"path":"/env_http"}', json: { path: '/env_http' } },
      seen: [`GET http://${plainHost}/env_http`],
    });
  });

  test('an https:// backend call goes through a CONNECT tunnel to the backend', async () => {
    envProxy.seen.length = 0;
    expect({ result: await callTool(viaEnv, 'env_https'), seen: envProxy.seen }).toEqual({
      result: { isError: false, text: '{"path":"/env_https"}', json: { path: '/env_https' } },
      seen: [`CONNECT 127.0.0.1:${secure.port}`],
    });
  });
});

describe('NO_PROXY and per-backend proxy:', () => {
  test('a host listed in NO_PROXY is called directly', async () => {
    envProxy.seen.length = 0;
    const before = plain.requests.length;
    expect({
      result: await callTool(withNoProxy, 'no_proxy_direct'),
      seen: envProxy.seen,
      reached: plain.requests.length - before,
    }).toEqual({
      result: { isError: false, text: '{"path":"/no_proxy_direct"}', json: { path: '/no_proxy_direct' } },
      seen: [],
      reached: 1,
    });
  });

  test("a backend's own proxy: wins over HTTP_PROXY and NO_PROXY", async () => {
    envProxy.seen.length = 0;
    backendProxy.seen.length = 0;
    expect({ result: await callTool(withNoProxy, 'own_proxy'), env: envProxy.seen, own: backendProxy.seen }).toEqual({
      result: { isError: false, text: '{"path":"/own_proxy"}', json: { path: '/own_proxy' } },
      env: [],
      own: [`GET http://localhost:${plain.server.port}/own_proxy`],
    });
  });

  test("in `nexus serve`, the process's own NO_PROXY does not make Bun drop a backend's proxy:", async () => {
    envProxy.seen.length = 0;
    backendProxy.seen.length = 0;
    const nexus = await spawnServe(toolsDir({ 'own.yaml': toolFile('own_proxy_serve', plain.url, `proxy: ${backendProxy.url}`) }), {
      HTTP_PROXY: envProxy.url,
      NO_PROXY: '127.0.0.1,localhost',
    });
    try {
      const { body } = await postToolCall(nexus.mcpUrl, 'own_proxy_serve');
      expect({ isError: (body as { result?: { isError?: boolean } }).result?.isError, env: envProxy.seen, own: backendProxy.seen }).toEqual(
        {
          isError: false,
          env: [],
          own: [`GET http://${plainHost}/own_proxy_serve`],
        },
      );
    } finally {
      nexus.proc.kill('SIGTERM');
      await nexus.proc.exited;
    }
  }, 60_000);
});
