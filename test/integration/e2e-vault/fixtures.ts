// Shared pieces of the end-to-end vault tests: gateways in both modes, stand-in backends that check
// credentials, an MCP client per gateway, and random secrets that can be searched for afterwards.
import { randomBytes } from 'node:crypto';
import type { Client } from '@modelcontextprotocol/client';
import { openDb } from '../../../src/db/open.ts';
import { silentLogger } from '../../../src/log.ts';
import { type SharedScope, sharedScope, startGateway, TEST_DATABASE_URL, type TestGateway } from '../../helpers/gateway.ts';
import { connect, REVISIONS } from '../../helpers/mcp-client.ts';
import { secretForms } from '../../helpers/secret-forms.ts';

export const MODES = ['embedded', 'shared'] as const;
export type Mode = (typeof MODES)[number];

/** A unique secret: hex, or base64 holding a `/` (and a `=`) so its encoded forms really differ. */
export function canary(kind: 'hex' | 'base64' = 'hex'): string {
  if (kind === 'hex') return randomBytes(16).toString('hex');
  for (;;) {
    const s = randomBytes(20).toString('base64');
    if (s.includes('/')) return s;
  }
}

/** The forms a leaked secret could take, by name (test/helpers/secret-forms.ts). */
export const encodings = secretForms;

export const basicHeader = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

/** A gateway in either mode; a shared one lives in `scope`. */
export const gatewayIn = (mode: Mode, dir: string, scope?: SharedScope, env: Record<string, string> = {}) =>
  startGateway({ toolsDir: dir, env, ...(mode === 'shared' && { shared: scope }) });

/** A second connection to a gateway's store, as an operator (or an attacker) with database access has. */
export const openStore = (mode: Mode, dataDir: string, scope?: SharedScope) =>
  mode === 'shared'
    ? openDb({ databaseUrl: TEST_DATABASE_URL, dataDir, log: silentLogger, searchPath: scope!.schema })
    : openDb({ dataDir, log: silentLogger });

/** What the CLI needs in its environment to reach the same store (and vault) as a gateway. */
export const cliEnv = (mode: Mode, dataDir: string, scope?: SharedScope, masterKey = scope?.masterKey): Record<string, string> =>
  mode === 'shared'
    ? { DATABASE_URL: `${TEST_DATABASE_URL}?search_path=${scope!.schema}`, NEXUS_MASTER_KEY: masterKey! }
    : { NEXUS_DATA_DIR: dataDir, ...(masterKey && { NEXUS_MASTER_KEY: masterKey }) };

/** One shared scope per test file, made lazily so embedded-only files touch no service. */
export function scopeHolder() {
  let scope: SharedScope | undefined;
  return {
    get: async () => (scope ??= await sharedScope()),
    cleanup: async () => scope?.cleanup(),
  };
}

export interface ToolCall {
  isError: boolean;
  text: string;
  structured?: unknown;
}

/** An MCP client (2026-07-28) for a gateway, optionally as a client-key principal. */
export async function mcpClient(gw: TestGateway, key?: string) {
  const client: Client = await connect(gw.mcpUrl, REVISIONS[1]!, key ? { authorization: `Bearer ${key}` } : {});
  return {
    client,
    async call(name: string, args: Record<string, unknown> = {}): Promise<ToolCall> {
      const r = await client.callTool({ name, arguments: args });
      const content = (r.content ?? []) as Array<{ type: string; text?: string }>;
      return {
        isError: r.isError === true,
        text: content.map((c) => c.text ?? '').join('\n'),
        ...(r.structuredContent !== undefined && { structured: r.structuredContent }),
      };
    },
    close: () => client.close(),
  };
}

/** YAML for one tool over `base`, with an auth block given as flow YAML. */
export const tool = (name: string, path: string, auth?: string, extra = '') =>
  `  - name: ${name}
    description: ${name}.
    request: { method: GET, path: ${path} }
${auth ? `    auth: ${auth}\n` : ''}${extra}`;

export const toolFile = (base: string, tools: string[]) => `backend: { base_url: "${base}", timeout: 5s }\ntools:\n${tools.join('')}`;

/** The token of an `Authorization: Bearer` header, if there is one. */
export const bearerOf = (req: Request) => /^Bearer (.+)$/.exec(req.headers.get('authorization') ?? '')?.[1];

export const unauthorized = () => Response.json({ error: 'unauthorized' }, { status: 401 });
