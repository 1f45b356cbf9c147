// The hand-written alternative: one MCP server written directly on the official SDK (McpServer +
// registerTool with a zod input schema, createMcpHandler), served by node:http under Node, calling
// the same backend. Plain JS so that Node 20 runs it without a TypeScript loader.
// Alone: node scripts/bench/sdk-server.mjs --backend URL [--port N]   (prints {"port":N})
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import * as z from 'zod';

const { values } = parseArgs({ options: { backend: { type: 'string' }, port: { type: 'string' } } });
const backend = values.backend;
if (!backend) throw new Error('--backend URL is required');

// Defined once: zod v4 compiles a fast parser per schema object, so a schema per request would be unfair.
const input = z.object({ id: z.string().regex(/^[0-9]{1,8}$/) });

// createMcpHandler asks for a fresh server per HTTP request (the SDK's stateless idiom).
function factory() {
  const server = new McpServer({ name: 'tickets', version: '1.0.0' });
  server.registerTool(
    'get_ticket',
    {
      description: 'Fetch a ticket by id.',
      inputSchema: input,
      annotations: { readOnlyHint: true },
    },
    async ({ id }) => {
      const res = await fetch(`${backend}/tickets/${encodeURIComponent(id)}`);
      if (!res.ok) return { content: [{ type: 'text', text: `backend answered ${res.status}` }], isError: true };
      const value = await res.json();
      return { content: [{ type: 'text', text: JSON.stringify(value) }], structuredContent: value };
    },
  );
  return server;
}

const handler = createMcpHandler(factory);

// node:http -> web Request -> the SDK's fetch face -> node:http response.
const http = createServer(async (req, res) => {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  const request = new Request(`http://${req.headers.host ?? '127.0.0.1'}${req.url}`, {
    method: req.method,
    headers,
    ...(hasBody && { body: Buffer.concat(chunks) }),
  });
  try {
    const response = await handler.fetch(request);
    const out = {};
    response.headers.forEach((v, k) => {
      out[k] = v;
    });
    res.writeHead(response.status, out);
    res.end(Buffer.from(await response.arrayBuffer()));
  } catch (e) {
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end(String(e?.message ?? e));
  }
});
http.keepAliveTimeout = 60_000;
http.listen(Number(values.port ?? 0), '127.0.0.1', () => {
  console.log(JSON.stringify({ port: http.address().port }));
});
