// One corpus document end to end: import in a child process (limits: 60 s, 1 GiB peak RSS), `nexus check`
// the tool file, serve it, list it through every official SDK client, and compile every listed schema as
// those clients would. Shared by corpus.test.ts (asserts) and scripts/bench/corpus.ts (prints figures).
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from '@modelcontextprotocol/client';
import Ajv from 'ajv';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { Client as ClientV1Early } from 'sdk-v1-2025-03/client/index.js';
import { StreamableHTTPClientTransport as TransportV1Early } from 'sdk-v1-2025-03/client/streamableHttp.js';
import { Client as ClientV1 } from 'sdk-v1-latest/client';
import { StreamableHTTPClientTransport as TransportV1 } from 'sdk-v1-latest/client/streamableHttp.js';
import { startGateway } from '../helpers/gateway.ts';
import { PEAK_RSS_MARK } from './peak-rss.ts';

export const IMPORT_TIMEOUT_MS = 60_000;
export const IMPORT_MAX_RSS = 1024 ** 3;
/** What an MCP client accepts as a tool name (the strictest in use: the model providers' function names). */
export const CLIENT_TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

const ROOT = join(import.meta.dir, '../..');
const MAIN = join(ROOT, 'src/main.ts');
const PRELOAD = join(import.meta.dir, 'peak-rss.ts');

export interface DocumentRun {
  importMs?: number;
  peakRssBytes?: number;
  tools?: number;
  skipped?: number;
  /** Bytes of the tools/list result (as the SDK v2 client received it). */
  listBytes?: number;
  /** Each names the step and the reason; empty when the document passed. */
  readonly failures: string[];
}

interface Child {
  code: number | null;
  signal: string | number | null;
  stdout: string;
  stderr: string;
  ms: number;
  maxRss: number;
}

async function child(args: string[], timeoutMs: number): Promise<Child> {
  const started = performance.now();
  const proc = Bun.spawn([process.execPath, '--preload', PRELOAD, MAIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, NEXUS_DATA_DIR: mkdtempSync(join(tmpdir(), 'nexus-corpus-data-')), NEXUS_LOG_LEVEL: 'error' },
    stdout: 'pipe',
    stderr: 'pipe',
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
  });
  const [stdout, err] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  const ms = performance.now() - started;
  const mark = err.lastIndexOf(`\n${PEAK_RSS_MARK} `);
  const stderr = mark >= 0 ? err.slice(0, mark) : err;
  const maxRss = mark >= 0 ? Number(err.slice(mark + PEAK_RSS_MARK.length + 2).trim()) : 0;
  return { code: proc.exitCode, signal: proc.signalCode, stdout, stderr, ms, maxRss };
}

const firstLines = (text: string, n = 3) => text.trim().split('\n').slice(0, n).join(' | ').slice(0, 600);

/** Imports, checks, serves and lists one document; `dir` receives its tool file. */
export async function runDocument(
  file: string,
  args: readonly string[] = [],
  dir = mkdtempSync(join(tmpdir(), 'nexus-corpus-')),
): Promise<DocumentRun> {
  const run: DocumentRun = { failures: [] };
  const imported = await child(['tools', 'import-openapi', file, '--out', dir, '--force', ...args], IMPORT_TIMEOUT_MS);
  run.importMs = Math.round(imported.ms);
  run.peakRssBytes = imported.maxRss;
  if (imported.signal) {
    run.failures.push(`import killed (${imported.signal}) after ${run.importMs} ms (limit ${IMPORT_TIMEOUT_MS} ms)`);
    return run;
  }
  if (imported.code !== 0) {
    run.failures.push(`import failed: ${firstLines(imported.stderr || imported.stdout)}`);
    return run;
  }
  run.tools = Number(/^(\d+) tool\(s\) written/.exec(imported.stdout)?.[1] ?? Number.NaN);
  run.skipped = imported.stdout.split('\n').filter((l) => l.startsWith('  - ') && l.endsWith('operation skipped')).length;
  if (imported.maxRss > IMPORT_MAX_RSS)
    run.failures.push(`import peaked at ${Math.round(imported.maxRss / 2 ** 20)} MiB RSS (limit ${IMPORT_MAX_RSS / 2 ** 20} MiB)`);
  if (readdirSync(dir).filter((f) => f.endsWith('.yaml')).length !== 1) run.failures.push(`import wrote no single tool file in ${dir}`);

  const checked = await child(['check', '--tools', dir, '--no-credentials'], 10 * 60_000);
  if (checked.code !== 0) run.failures.push(`nexus check failed: ${firstLines(checked.stderr || checked.stdout)}`);
  if (run.failures.length) return run;

  await using gw = await startGateway({ toolsDir: dir });
  const listed = await listThroughClients(gw.mcpUrl);
  run.listBytes = listed.bytes;
  run.failures.push(...listed.failures);
  return run;
}

interface ListedTool {
  name: string;
  inputSchema: Record<string, unknown>;
  outputSchema?: Record<string, unknown>;
}

interface Lister {
  listTools(params?: { cursor?: string }): Promise<{ tools: ListedTool[]; nextCursor?: string }>;
  close(): Promise<void>;
}

const CLIENT_INFO = { name: 'nexus-corpus', version: '1.0.0' };

/** The official clients: SDK v2, SDK v1 as released now, and SDK v1 of the 2025-03-26 revision's era. */
export const CLIENTS: Record<string, (url: URL) => Promise<Lister>> = {
  'sdk-v2': async (url) => {
    const c = new ClientV2(CLIENT_INFO);
    await c.connect(new TransportV2(url));
    return c as unknown as Lister;
  },
  'sdk-v1-1.32.2': async (url) => {
    const c = new ClientV1(CLIENT_INFO);
    await c.connect(new TransportV1(url));
    return c as unknown as Lister;
  },
  'sdk-v1-1.10.2': async (url) => {
    const c = new ClientV1Early(CLIENT_INFO);
    await c.connect(new TransportV1Early(url));
    return c as unknown as Lister;
  },
};

async function listAll(client: Lister): Promise<ListedTool[]> {
  const tools: ListedTool[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.listTools(cursor ? { cursor } : {});
    tools.push(...page.tools);
    cursor = page.nextCursor;
  } while (cursor);
  return tools;
}

// The options SDK v1 gives Ajv for outputSchema (validation/ajv-provider.js), used for every schema here
const AJV_AS_SDK_V1 = { strict: false, validateFormats: true, validateSchema: false, allErrors: true } as const;

/** Lists through every client; the names must agree and fit CLIENT_TOOL_NAME, every schema must compile. */
export async function listThroughClients(url: URL): Promise<{ bytes: number; failures: string[] }> {
  const failures: string[] = [];
  const lists = new Map<string, ListedTool[]>();
  let bytes = 0;
  for (const [name, open] of Object.entries(CLIENTS)) {
    let client: Lister | undefined;
    try {
      client = await open(url);
      const tools = await listAll(client);
      lists.set(name, tools);
      if (name === 'sdk-v2') bytes = JSON.stringify({ tools }).length;
    } catch (e) {
      failures.push(`${name} could not list: ${(e as Error).message.slice(0, 300)}`);
    } finally {
      await client?.close().catch(() => {});
    }
  }
  const reference = lists.get('sdk-v2') ?? [...lists.values()][0] ?? [];
  const names = reference.map((t) => t.name).join('\n');
  for (const [name, tools] of lists)
    if (tools.map((t) => t.name).join('\n') !== names) failures.push(`${name} listed other tools than sdk-v2`);
  const bad = reference.filter((t) => !CLIENT_TOOL_NAME.test(t.name)).map((t) => t.name);
  if (bad.length) failures.push(`${bad.length} name(s) do not match ${CLIENT_TOOL_NAME}: ${bad.slice(0, 5).join(', ')}`);
  failures.push(...schemaFailures(reference));
  return { bytes, failures };
}

/** Every input and output schema compiled by Ajv for draft-07 and for 2020-12 (the first few failures). */
export function schemaFailures(tools: readonly ListedTool[]): string[] {
  const failures: string[] = [];
  for (const [draft, AjvClass] of [
    ['draft-07', Ajv],
    ['2020-12', Ajv2020],
  ] as const) {
    const ajv = new AjvClass(AJV_AS_SDK_V1);
    addFormats(ajv);
    for (const t of tools) {
      for (const [which, schema] of [
        ['inputSchema', t.inputSchema],
        ['outputSchema', t.outputSchema],
      ] as const) {
        if (!schema || failures.length >= 5) continue;
        try {
          ajv.compile(schema);
        } catch (e) {
          failures.push(`${t.name} ${which} does not compile in Ajv ${draft}: ${(e as Error).message.slice(0, 200)}`);
        }
        ajv.removeSchema(schema);
      }
    }
  }
  return failures;
}
