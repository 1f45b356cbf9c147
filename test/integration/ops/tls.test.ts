// Backends on TLS from an organisation's own CA, mTLS backends, and the explicit, logged opt-out.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { rmSync } from 'node:fs';
import type { Client } from '@modelcontextprotocol/client';
import type { NexusError } from '../../../src/errors.ts';
import { createLogger } from '../../../src/log.ts';
import { startGateway, type TestGateway, toolsDir } from '../../helpers/gateway.ts';
import { connect, REVISIONS } from '../../helpers/mcp-client.ts';
import { makePki } from './certs.ts';
import { backendSpec, callTool, sendGet, toolFile } from './fixture.ts';

const pki = makePki();
const serve = (tls: Record<string, unknown>, via: string) =>
  Bun.serve({ port: 0, hostname: '127.0.0.1', tls, fetch: () => Response.json({ via }) });
const servers = {
  ca: serve({ cert: pki.pem('server.crt'), key: pki.pem('server.key') }, 'tls'),
  mtls: serve(
    { cert: pki.pem('server.crt'), key: pki.pem('server.key'), ca: pki.pem('ca.crt'), requestCert: true, rejectUnauthorized: true },
    'mtls',
  ),
  self: serve({ cert: pki.pem('self.crt'), key: pki.pem('self.key') }, 'self-signed'),
};
const url = (s: { port?: number }) => `https://127.0.0.1:${s.port}`;
const ca = `tls: { ca_file: ${pki.file('ca.crt')} }`;
const clientCert = `tls: { ca_file: ${pki.file('ca.crt')}, cert_file: ${pki.file('client.crt')}, key_file: ${pki.file('client.key')} }`;

/** Whether the tool call was an error result, and which of `phrases` its text lacks. */
async function errorSaying(c: Client, tool: string, phrases: string[]) {
  const r = await callTool(c, tool);
  return { isError: r.isError, lacks: phrases.filter((w) => !r.text.includes(w)) };
}
const ok = (via: string) => ({ isError: false, text: JSON.stringify({ via }), json: { via } });

let gw: TestGateway;
let client: Client;
let global: TestGateway;
let globalClient: Client;
beforeAll(async () => {
  gw = await startGateway({
    toolsDir: toolsDir({
      'trusted.yaml': toolFile('tls_trusted', url(servers.ca), ca),
      'untrusted.yaml': toolFile('tls_untrusted', url(servers.ca)),
      'self.yaml': toolFile('tls_self_signed', url(servers.self)),
      'mtls.yaml': toolFile('mtls_with_cert', url(servers.mtls), clientCert),
      'mtls-nocert.yaml': toolFile('mtls_without_cert', url(servers.mtls), ca),
      'insecure.yaml': toolFile('tls_insecure', url(servers.self), 'tls: { insecure: true }'),
    }),
  });
  client = await connect(gw.mcpUrl, REVISIONS[0]!);
  global = await startGateway({
    toolsDir: toolsDir({ 'plain.yaml': toolFile('tls_global_ca', url(servers.ca)) }),
    env: { NEXUS_CA_FILE: pki.file('ca.crt') },
  });
  globalClient = await connect(global.mcpUrl, REVISIONS[0]!);
});
afterAll(async () => {
  await Promise.all([client?.close(), globalClient?.close()]);
  await Promise.all([gw?.stop(), global?.stop()]);
  for (const s of Object.values(servers)) s.stop(true);
  rmSync(pki.dir, { recursive: true, force: true });
});

describe('a backend whose certificate comes from a test CA', () => {
  test('answers when the backend trusts the CA with tls.ca_file', async () => {
    expect(await callTool(client, 'tls_trusted')).toEqual(ok('tls'));
  });

  test('answers when the CA is trusted gateway-wide with NEXUS_CA_FILE', async () => {
    expect(await callTool(globalClient, 'tls_global_ca')).toEqual(ok('tls'));
  });

  test('without the CA the call is an error result that says the certificate is not trusted and how to trust it', async () => {
    expect(
      await errorSaying(client, 'tls_untrusted', ['not trusted', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'tls.ca_file', 'NEXUS_CA_FILE']),
    ).toEqual({ isError: true, lacks: [] });
  });

  test('a self-signed certificate is refused with the same advice', async () => {
    expect(await errorSaying(client, 'tls_self_signed', ['not trusted', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'tls.ca_file'])).toEqual({
      isError: true,
      lacks: [],
    });
  });

  test('send() classifies every untrusted-certificate code Bun reports as tls_untrusted', async () => {
    const reasons = await Promise.all(
      [url(servers.ca), url(servers.self)].map((u) =>
        sendGet(backendSpec(u)).then(
          () => undefined,
          (e: NexusError) => ({ code: e.code, details: e.details }),
        ),
      ),
    );
    expect(reasons).toEqual([
      {
        code: 'UPSTREAM_UNREACHABLE',
        details: { backend: `127.0.0.1:${servers.ca.port}`, reason: 'tls_untrusted', error: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' },
      },
      {
        code: 'UPSTREAM_UNREACHABLE',
        details: { backend: `127.0.0.1:${servers.self.port}`, reason: 'tls_untrusted', error: 'DEPTH_ZERO_SELF_SIGNED_CERT' },
      },
    ]);
  });
});

describe('a backend that requires a client certificate (mTLS)', () => {
  test('accepts the gateway presenting tls.cert_file and tls.key_file', async () => {
    expect(await callTool(client, 'mtls_with_cert')).toEqual(ok('mtls'));
  });

  test('refuses the gateway without one, and the error names the settings to add', async () => {
    expect(
      await errorSaying(client, 'mtls_without_cert', ['TLS handshake', 'client certificate', 'tls.cert_file', 'tls.key_file']),
    ).toEqual({ isError: true, lacks: [] });
  });
});

describe('tls: { insecure: true }', () => {
  test('reaches a backend whose certificate is not trusted', async () => {
    expect(await callTool(client, 'tls_insecure')).toEqual(ok('self-signed'));
  });

  test('is announced with one warning per backend, never silently', async () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'debug', write: (l) => lines.push(l) });
    const insecure = backendSpec(url(servers.self), { tls: { insecure: true } });
    const verified = backendSpec(url(servers.ca), { tls: { caFile: pki.file('ca.crt') } });
    for (const b of [insecure, insecure, verified]) {
      const res = await sendGet(b, { log });
      expect(res.status).toBe(200);
    }
    expect(lines.map((l) => JSON.parse(l)).map(({ level, backend }) => ({ level, backend }))).toEqual([
      { level: 'warn', backend: url(servers.self) },
    ]);
  });
});
