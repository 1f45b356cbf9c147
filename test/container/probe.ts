// Host-side helpers for test/container/run.sh (prints JSON, exits 1 on a failed check):
//   probe.ts backend PORTFILE                 a fake inventory backend on 0.0.0.0 (port written to PORTFILE)
//   probe.ts check URL KEY                    /healthz, /readyz, MCP initialize + tools/call
//   probe.ts load URL KEY STOPFILE OUTFILE    tool calls one after another until STOPFILE exists
//   probe.ts slow URL KEY OUTFILE             one call the backend answers after 2 s (PORTFILE.slow marks it)
//   probe.ts calls METRICS_URL                successful inventory_stock calls in an instance's /metrics
import { existsSync, writeFileSync } from 'node:fs';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';

const [cmd = '', ...args] = process.argv.slice(2);
const TOOL = 'inventory_stock';
const fail = (what: string, detail: unknown): never => {
  console.error(`container probe: ${what}: ${JSON.stringify(detail)}`);
  process.exit(1);
};

async function client(url: string, key: string): Promise<Client> {
  const c = new Client({ name: 'nexus-container-test', version: '1.0.0' }, { versionNegotiation: { mode: 'legacy' } });
  await c.connect(
    new StreamableHTTPClientTransport(new URL('/mcp', url), { requestInit: { headers: { authorization: `Bearer ${key}` } } }),
  );
  return c;
}

async function callStock(c: Client, sku: string): Promise<unknown> {
  const res = await c.callTool({ name: TOOL, arguments: { sku } }, { timeout: 10_000 });
  if (res.isError) throw new Error(`tool error: ${JSON.stringify(res.content)}`);
  return res.structuredContent ?? JSON.parse((res.content as { text: string }[])[0]?.text ?? 'null');
}

if (cmd === 'backend') {
  const portFile = args[0] ?? fail('usage', 'backend PORTFILE');
  const server = Bun.serve({
    port: 0,
    hostname: '0.0.0.0',
    async fetch(req) {
      const m = new URL(req.url).pathname.match(/^\/inventory\/stock\/([A-Z0-9-]+)$/);
      if (!m) return new Response('not found', { status: 404 });
      if (m[1]?.startsWith('SLOW')) {
        writeFileSync(`${portFile}.slow`, 'started\n');
        await Bun.sleep(2000); // an in-flight call for the SIGTERM drain check
      }
      return Response.json({ sku: m[1], available: 7, reserved: 1 });
    },
  });
  writeFileSync(portFile, `${server.port}\n`);
  process.on('SIGTERM', () => process.exit(0));
} else if (cmd === 'check') {
  const [url = '', key = ''] = args;
  const health = await fetch(new URL('/healthz', url)).then((r) => r.status);
  const ready = await fetch(new URL('/readyz', url)).then(async (r) => ({ status: r.status, body: await r.text() }));
  const c = await client(url, key);
  const server = c.getServerVersion()?.name;
  const tools = (await c.listTools()).tools.map((t) => t.name);
  const result = await callStock(c, 'SKU-1');
  await c.close();
  const got = { health, ready: ready.status, server, listed: tools.includes(TOOL), result };
  const want = { health: 200, ready: 200, server: 'nexus', listed: true, result: { sku: 'SKU-1', available: 7, reserved: 1 } };
  if (JSON.stringify(got) !== JSON.stringify(want)) fail('check', { got, want, readyz: ready.body });
  console.log(JSON.stringify(got));
} else if (cmd === 'load') {
  const [url = '', key = '', stopFile = '', outFile = ''] = args;
  let ok = 0;
  const failures: string[] = [];
  const deadline = Date.now() + 180_000; // bounded even if run.sh never writes the stop file
  let c = await client(url, key);
  const report = (done: boolean) =>
    writeFileSync(outFile, `${JSON.stringify({ done, ok, failed: failures.length, failures: failures.slice(0, 5) })}\n`);
  while (!existsSync(stopFile) && Date.now() < deadline) {
    report(false);
    try {
      await callStock(c, `SKU-${ok}`);
      ok++;
      await Bun.sleep(20); // paced: a steady stream, not a benchmark, and the audit count stays < 10,000
    } catch (e) {
      failures.push((e as Error).message.slice(0, 200));
      await c.close().catch(() => {});
      c = await client(url, key).catch(() => c);
    }
  }
  await c.close().catch(() => {});
  report(true);
} else if (cmd === 'slow') {
  const [url = '', key = '', outFile = ''] = args;
  const c = await client(url, key);
  const result = await callStock(c, 'SLOW-1').catch((e: Error) => ({ error: e.message }));
  await c.close().catch(() => {});
  writeFileSync(outFile, `${JSON.stringify(result)}\n`);
} else if (cmd === 'calls') {
  const text = await fetch(args[0] ?? '').then((r) => r.text());
  const n = text
    .split('\n')
    .filter((l) => l.startsWith('nexus_tool_calls_total{') && l.includes(`tool="${TOOL}"`) && l.includes('outcome="ok"'))
    .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
  console.log(n);
} else {
  fail('usage', 'backend | check | load | calls');
}
