// The two reference points every gateway is measured against, as bare `Bun.serve` servers:
//   ceiling  parses a JSON-RPC tools/call and answers a fixed result (no backend);
//   floor    parses the call, fetches the ticket from the backend over keep-alive and wraps it.
// Alone: bun scripts/bench/baseline.ts --mode ceiling|floor [--backend URL] [--port N]
import { parseArgs } from 'node:util';
import { TICKET_PATH, ticket } from './backend.ts';

type Call = { id?: unknown; method?: string; params?: { name?: string; arguments?: { id?: unknown } } };

const HEADERS = { 'content-type': 'application/json' };
const rpcError = (id: unknown, message: string) =>
  new Response(JSON.stringify({ jsonrpc: '2.0', id: id ?? null, error: { code: -32602, message } }), { status: 200, headers: HEADERS });
const wrap = (id: unknown, value: unknown) =>
  new Response(
    JSON.stringify({
      jsonrpc: '2.0',
      id,
      result: { content: [{ type: 'text', text: JSON.stringify(value) }], structuredContent: value, isError: false },
    }),
    { headers: HEADERS },
  );

export function startBaseline(mode: 'ceiling' | 'floor', opts: { backendUrl?: string; port?: number } = {}) {
  const fixed = ticket('42');
  const base = opts.backendUrl ?? '';
  if (mode === 'floor' && !base) throw new Error('the floor needs --backend URL');
  return Bun.serve({
    port: opts.port ?? 0,
    hostname: '127.0.0.1',
    async fetch(req) {
      const call = (await req.json()) as Call;
      if (call.method !== 'tools/call' || typeof call.params?.arguments?.id !== 'string')
        return rpcError(call.id, 'expected tools/call with an id');
      if (mode === 'ceiling') return wrap(call.id, fixed);
      const res = await fetch(base + TICKET_PATH + encodeURIComponent(call.params.arguments.id));
      return wrap(call.id, await res.json());
    },
  });
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { mode: { type: 'string' }, backend: { type: 'string' }, port: { type: 'string' } } });
  const mode = values.mode === 'floor' ? 'floor' : 'ceiling';
  const s = startBaseline(mode, { backendUrl: values.backend, port: Number(values.port ?? 0) });
  console.log(JSON.stringify({ port: s.port }));
}
