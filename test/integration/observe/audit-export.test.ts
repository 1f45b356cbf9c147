// Audit records streamed besides the store (NEXUS_AUDIT_EXPORT) to local receivers: syslog (RFC 5424)
// over UDP, TCP and TLS, a JSON-lines file, stdout of a real `nexus serve`, and OTLP logs. Each carries
// what the store holds, redacted alike; a stalled receiver drops records (counted, logged) while the
// calls go on.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditRecord } from '../../../src/audit/record.ts';
import { startBackend } from '../../helpers/backend.ts';
import { startGateway, type TestGateway, tempDir, toolsDir, waitFor } from '../../helpers/gateway.ts';
import { rawPost } from '../../helpers/mcp-client.ts';
import { startOtlpReceiver } from '../../helpers/otlp.ts';
import { makePki } from '../ops/certs.ts';
import { postToolCall, spawnServe } from '../ops/fixture.ts';

const secret = Buffer.from(crypto.getRandomValues(new Uint8Array(18))).toString('base64');
const backend = startBackend(() => Response.json({ ok: true }));
const TOOLS = `backend: { base_url: "${backend.url}", timeout: 5s }
tools:
  - name: note
    description: Sends a note.
    input: { type: object, properties: { text: { type: string } } }
    request: { method: POST, path: /notes, body: { text: "{text}" } }
    auth: { type: bearer, credential: notes-token }
    audit_arguments: true
`;

const SYSLOG = /^<(\d+)>1 (\S+) (\S+) nexus (\d+) audit \[nexus@32473 ([^\]]*)\] \uFEFF(.*)$/s;
/** RFC 6587 octet-counted frames in a TCP stream. */
function frames(text: string): string[] {
  const out: string[] = [];
  let rest = Buffer.from(text);
  for (;;) {
    const sp = rest.indexOf(0x20);
    if (sp < 1) return out;
    const len = Number(rest.subarray(0, sp).toString());
    if (rest.length < sp + 1 + len) return out;
    out.push(rest.subarray(sp + 1, sp + 1 + len).toString());
    rest = rest.subarray(sp + 1 + len);
  }
}
const parseSyslog = (msg: string) => {
  const m = SYSLOG.exec(msg);
  if (!m) throw new Error(`not an RFC 5424 audit message: ${msg}`);
  return { pri: Number(m[1]), sd: m[5]!, record: JSON.parse(m[6]!) as Record<string, unknown> };
};

function tcpReceiver(tls?: { cert: string; key: string }) {
  let text = '';
  const server = Bun.listen({
    hostname: '127.0.0.1',
    port: 0,
    ...(tls && { tls }),
    socket: { data: (_s, d) => void (text += d.toString()) },
  });
  return { port: server.port, messages: () => frames(text), stop: () => server.stop(true) };
}

function udpReceiver() {
  const messages: string[] = [];
  const socket = createSocket('udp4');
  socket.on('message', (m) => messages.push(m.toString()));
  const ready = new Promise<number>((r) => socket.bind(0, '127.0.0.1', () => r(socket.address().port)));
  return { ready, messages, stop: () => socket.close() };
}

const pki = makePki();
const tcp = tcpReceiver();
const tls = tcpReceiver({ cert: pki.pem('server.crt'), key: pki.pem('server.key') });
const udp = udpReceiver();
const otlp = startOtlpReceiver();
const file = join(tempDir('nexus-audit-'), 'audit.jsonl');
let gw: TestGateway;

beforeAll(async () => {
  const targets = [`syslog+udp://127.0.0.1:${await udp.ready}`, `syslog+tcp://127.0.0.1:${tcp.port}`];
  targets.push(`syslog+tls://localhost:${tls.port}`, `file:${file}`, 'otlp');
  gw = await startGateway({
    toolsDir: toolsDir({ 'notes.yaml': TOOLS }),
    env: { NEXUS_AUDIT_EXPORT: targets.join(','), NEXUS_CA_FILE: pki.file('ca.crt'), OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url },
  });
  await gw.app.services.vault.put('notes-token', 'bearer', { token: secret });
  await rawPost(
    gw.mcpUrl,
    JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'note', arguments: { text: `pw ${secret}` } } }),
  );
  await rawPost(gw.mcpUrl, JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'nope', arguments: {} } }));
  await gw.app.services.audit.flush();
  await gw.app.services.auditExport!.flush();
});

afterAll(async () => {
  await gw?.stop();
  for (const r of [tcp, tls, udp, otlp, backend]) r.stop();
});

/** The store's records as the export writes them: ISO time, newest last. */
async function stored() {
  const rows = (await gw.app.services.auditStore.query({ since: 0 })).reverse();
  return rows.map((r) => JSON.parse(JSON.stringify({ ...r, time: new Date(r.time).toISOString() })) as Record<string, unknown>);
}

describe('audit export to local receivers', () => {
  test('the stored records hold the masked argument, never the credential', async () => {
    const rows = await stored();
    expect(rows.map((r) => [r.tool, r.outcome, r.args])).toEqual([
      ['note', 'ok', { text: 'pw [REDACTED]' }],
      ['nope', 'denied', undefined],
    ]);
  });

  for (const [name, receiver] of [
    ['UDP', () => udp.messages],
    ['TCP', () => tcp.messages()],
    ['TLS', () => tls.messages()],
  ] as const) {
    test(`syslog over ${name}: one RFC 5424 message per record with the stored record as JSON`, async () => {
      const msgs = await waitFor(() => (receiver().length >= 2 ? receiver() : undefined), 5000, `${name} syslog messages`);
      const parsed = msgs.map(parseSyslog);
      expect(parsed.map((p) => p.record)).toEqual(await stored());
      // facility 13 (log audit): informational for ok, warning for denied
      expect(parsed.map((p) => p.pri)).toEqual([13 * 8 + 6, 13 * 8 + 4]);
      expect(parsed[1]!.sd).toStartWith('tool="nope" caller="anonymous" outcome="denied"');
    });
  }

  test('file: JSON lines appended, equal to the stored records', async () => {
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines.map((l) => JSON.parse(l))).toEqual(await stored());
  });

  test('otlp: one log record per audit record, event nexus.audit, fields as attributes', async () => {
    const logs = await waitFor(() => (otlp.logs.length >= 2 ? otlp.logs : undefined), 5000, 'OTLP log records');
    expect(logs.map((l) => JSON.parse(String(l.body)))).toEqual(await stored());
    expect(logs[1]!.attributes).toEqual({
      'nexus.tool': 'nope',
      'nexus.caller': 'anonymous',
      'nexus.outcome': 'denied',
      'nexus.request_id': expect.any(String),
      'nexus.latency_ms': expect.any(Number),
      'error.type': 'NOT_FOUND',
    });
    const traced = logs.find((l) => l.attributes['nexus.tool'] === 'note')!;
    const row = (await gw.app.services.auditStore.query({ tool: 'note' }))[0]!;
    expect([traced.traceId, traced.spanId]).toEqual([row.traceId!, row.spanId!]);
  });

  test('no receiver got the credential in any encoding', () => {
    const all = [...udp.messages, ...tcp.messages(), ...tls.messages(), readFileSync(file, 'utf8'), ...otlp.raw].join('\n');
    for (const form of [secret, Buffer.from(secret).toString('base64'), encodeURIComponent(secret)]) expect(all).not.toContain(form);
  });
});

test('stdout of nexus serve carries one JSON line per audit record', async () => {
  const nexus = await spawnServe(toolsDir({ 'notes.yaml': TOOLS.replace('    auth: { type: bearer, credential: notes-token }\n', '') }), {
    NEXUS_AUDIT_EXPORT: 'stdout',
  });
  try {
    expect((await postToolCall(nexus.mcpUrl, 'note')).status).toBe(200);
    const line = await waitFor(
      () =>
        nexus
          .stdout()
          .split('\n')
          .find((l) => l.includes('"tool":"note"')),
      5000,
      'an audit line on stdout',
    );
    const rec = JSON.parse(line) as AuditRecord & { time: string };
    expect(rec).toMatchObject({ caller: 'anonymous', tool: 'note', outcome: 'ok', backendStatus: 200, args: {} });
    expect(Date.parse(rec.time)).toBeGreaterThan(0);
  } finally {
    nexus.proc.kill('SIGTERM');
    await nexus.proc.exited;
  }
}, 20_000);

test('a stalled receiver drops records, counted and logged, while calls go on', async () => {
  // accepts the TCP connection and never answers the TLS handshake: nothing it is sent ever leaves
  const silent = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } });
  await using stalled = await startGateway({
    toolsDir: toolsDir({ 'notes.yaml': TOOLS.replace('    auth: { type: bearer, credential: notes-token }\n', '') }),
    env: { NEXUS_AUDIT_EXPORT: `syslog+tls://127.0.0.1:${silent.port}`, NEXUS_AUDIT_EXPORT_QUEUE: '5' },
  });
  try {
    const answers = [];
    for (let i = 0; i < 40; i++) answers.push((await postToolCall(`${stalled.url}/mcp`, 'note', i)).status);
    expect(answers).toEqual(Array(40).fill(200));
    const metrics = await (await fetch(`${stalled.url}/metrics`)).text();
    const dropped = Number(/nexus_audit_export_dropped_total\{target="syslog"\} (\d+)/.exec(metrics)?.[1]);
    expect(dropped).toBeGreaterThanOrEqual(34);
    expect(metrics).toMatch(/nexus_audit_export_pending\{target="syslog"\} [1-5]\n/);
    const warned = stalled.logs.map((l) => JSON.parse(l)).find((l) => l.msg === 'audit export falling behind: records dropped');
    expect(warned).toMatchObject({ level: 'warn', target: 'syslog', queue: 5 });
  } finally {
    silent.stop(true);
  }
}, 20_000);
