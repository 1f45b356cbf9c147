// Shared pieces of the end-to-end limit and cache tests: a slow stand-in CRM, the tools over it, and
// one-line calls over MCP and REST that say where each answer came from.
import type { Client } from '@modelcontextprotocol/client';
import { startBackend } from '../../helpers/backend.ts';
import { type SharedScope, sharedScope, startGateway, type TestGateway, toolsDir, waitFor } from '../../helpers/gateway.ts';
import { connect, REVISIONS } from '../../helpers/mcp-client.ts';

/** How long the stand-in takes to answer: long enough for ten calls to overlap. */
export const SLOW_MS = 300;

/**
 * The stand-in CRM on port 0. Answers with the path it was asked for and whose token asked (looked up
 * in `tokens`, token -> owner, so no token is echoed); tickets take SLOW_MS; /crm/broken/* fails with 500.
 */
export function slowBackend(tokens: Record<string, string> = {}) {
  const backend = startBackend(async (req, url) => {
    if (url.pathname.startsWith('/crm/broken/')) return Response.json({ error: 'boom' }, { status: 500 });
    if (url.pathname.startsWith('/crm/tickets/')) await Bun.sleep(SLOW_MS); // the backend's latency, not a wait in a test
    const token = req.headers.get('authorization')?.replace(/^Bearer /, '');
    return Response.json({ path: url.pathname, as: token ? (tokens[token] ?? 'unknown') : 'nobody' });
  });
  /** How many requests reached `path` so far. */
  const hits = (path: string) => backend.requests.filter((r) => r.path === path).length;
  return { ...backend, hits };
}

/**
 * The tools: cached reads (tickets slow, contacts fast, accounts with a per-user bearer credential),
 * two cached POSTs (one allowed to be cached), a failing read, a read limited to 5/min per caller,
 * and a backend limited to 5/min for everyone.
 */
export function crmTools(backendUrl: string): string {
  const id = `input: { type: object, properties: { id: { type: string } }, required: [id] }`;
  const text = `input: { type: object, properties: { text: { type: string } }, required: [text] }`;
  return toolsDir({
    'crm.yaml': `backend: { base_url: "${backendUrl}/crm", timeout: 5s }
tools:
  - name: get_ticket
    description: Reads a ticket.
    ${id}
    request: { method: GET, path: "/tickets/{id}" }
    cache: { ttl: 30s }
  - name: get_contact
    description: Reads a contact (fast).
    ${id}
    request: { method: GET, path: "/contacts/{id}" }
    cache: { ttl: 30s }
  - name: get_account
    description: Reads an account with the caller's CRM credential.
    ${id}
    request: { method: GET, path: "/accounts/{id}" }
    auth: { type: bearer, credential: crm }
    cache: { ttl: 30s }
  - name: add_note
    description: Adds a note.
    ${text}
    request: { method: POST, path: /notes, body: { text: "{text}" } }
    cache: { ttl: 30s }
  - name: find_notes
    description: Searches notes (a POST that is safe to cache).
    ${text}
    request: { method: POST, path: /notes/search, body: { text: "{text}" } }
    cache: { ttl: 30s, allow_write_methods: true }
  - name: get_broken
    description: Always fails.
    ${id}
    request: { method: GET, path: "/broken/{id}" }
    cache: { ttl: 30s }
  - name: get_limited
    description: Five calls a minute per caller.
    request: { method: GET, path: /limited }
    rate_limit: { requests: 5, per: 1m }
`,
    'quota.yaml': `backend: { base_url: "${backendUrl}/quota", rate_limit: { requests: 5, per: 1m } }
tools:
  - name: get_quota
    description: A backend that takes five calls a minute from everyone together.
    request: { method: GET, path: /read }
`,
  });
}

/**
 * startGateway, then wait for /readyz as a load balancer would: until its Redis connection is up, a
 * fresh instance fails open (or closed), which would blur what a test is about.
 */
export async function startReady(opts: Parameters<typeof startGateway>[0]): Promise<TestGateway> {
  const gw = await startGateway(opts);
  await waitFor(async () => (await fetch(`${gw.url}/readyz`)).ok, 5000, `${gw.url}/readyz`);
  return gw;
}

export interface Cluster {
  readonly scope: SharedScope;
  readonly a: TestGateway;
  readonly b: TestGateway;
  /** `Authorization` headers of the client keys of alice and bob. */
  readonly auth: { readonly alice: Record<string, string>; readonly bob: Record<string, string> };
  /** Each caller's clients: over both instances and both revisions. */
  readonly alice: Client[];
  readonly bob: Client[];
  stop(): Promise<void>;
}

/** Two instances sharing PostgreSQL and Redis (one sharedScope) and two callers with client keys. */
export async function startCluster(dir: string): Promise<Cluster> {
  const scope = await sharedScope();
  const a = await startReady({ toolsDir: dir, shared: scope });
  const header = async (name: string) => ({ authorization: `Bearer ${(await a.app.services.keys.create(name, { tools: ['*'] })).key}` });
  const auth = { alice: await header('alice'), bob: await header('bob') };
  const b = await startReady({ toolsDir: dir, shared: scope }); // started after the keys exist, so it sees them at once
  const [alice, bob] = await Promise.all([clientsFor([a, b], auth.alice), clientsFor([a, b], auth.bob)]);
  const stop = async () => {
    await closeAll([...alice, ...bob]);
    await a.stop();
    await b.stop();
    await scope.cleanup();
  };
  return { scope, a, b, auth, alice, bob, stop };
}

export interface Answer {
  readonly source: unknown;
  readonly isError: boolean;
  readonly value: unknown;
}

/** One tools/call; the structured answer (or the text of an error) and `_meta["nexus/source"]`. */
export async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<Answer> {
  const r = await client.callTool({ name, arguments: args });
  return { source: r._meta?.['nexus/source'], isError: r.isError === true, value: r.isError ? r.content : r.structuredContent };
}

export interface Refusal {
  readonly code: unknown;
  readonly data: unknown;
}

/** Undefined when the tools/call went through; else the JSON-RPC error it was refused with. */
export function refusalOf(client: Client, name: string, args: Record<string, unknown> = {}): Promise<Refusal | undefined> {
  return client.callTool({ name, arguments: args }).then(
    () => undefined,
    (e: Refusal) => ({ code: e.code, data: e.data }),
  );
}

/** POST /api/tools/{name}: status, source and Retry-After headers, and the JSON body. */
export async function rest(gw: TestGateway, name: string, args: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  const res = await fetch(`${gw.url}/api/tools/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(args),
  });
  return {
    status: res.status,
    source: res.headers.get('x-nexus-source'),
    retryAfter: res.headers.get('retry-after'),
    body: (await res.json()) as unknown,
  };
}

/** One SDK client per (gateway, revision): callers spread over every instance and both revisions. */
export async function clientsFor(gateways: readonly TestGateway[], headers: Record<string, string> = {}): Promise<Client[]> {
  return Promise.all(gateways.flatMap((gw) => REVISIONS.map((rev) => connect(gw.mcpUrl, rev, headers))));
}

export const closeAll = (clients: readonly Client[]) => Promise.all(clients.map((c) => c.close()));

/** `n` concurrent calls, the i-th through clients[i % clients.length]. */
export const fanOut = <T>(clients: readonly Client[], n: number, one: (c: Client) => Promise<T>) =>
  Promise.all(Array.from({ length: n }, (_, i) => one(clients[i % clients.length]!)));

/** Sum of a /metrics counter over the gateways, over every series whose labels include `labels`. */
export async function counter(gateways: readonly TestGateway[], name: string, labels: Record<string, string> = {}): Promise<number> {
  let sum = 0;
  for (const gw of gateways) {
    const text = await (await fetch(`${gw.url}/metrics`)).text();
    for (const line of text.split('\n')) {
      const m = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!m || m[1] !== name) continue;
      const have = m[2] ?? '';
      if (Object.entries(labels).every(([k, v]) => have.split(',').includes(`${k}="${v}"`))) sum += Number(m[3]);
    }
  }
  return sum;
}

/** How many of `answers` came from each source, e.g. { backend: 1, coalesced: 9 }. */
export function sources(answers: readonly Answer[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const a of answers) out[String(a.source)] = (out[String(a.source)] ?? 0) + 1;
  return out;
}
