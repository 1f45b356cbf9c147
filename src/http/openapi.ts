// GET /openapi.json: the OpenAPI 3.1 document of the tools the caller may use (rebuilt per reload)
// plus the admin API, and GET /docs: Swagger UI served entirely by Nexus (works air-gapped). When
// authentication is configured, a request without a credential gets a document with no tools that
// says how to authorise; a bad credential gets 401. Swagger UI fetches the document again with the
// key entered under Authorize (docs-assets.ts).
import { Elysia } from 'elysia';
import { ANONYMOUS, type Caller } from '../caller.ts';
import { type ListStats, listStats } from '../catalogue/stats.ts';
import { toNexusError } from '../errors.ts';
import { buildOpenApiDocument } from '../openapi/document.ts';
import type { Registry, ToolSet } from '../registry/registry.ts';
import type { ToolSpec } from '../registry/spec.ts';
import { ADMIN_PATHS } from './admin-openapi.ts';
import { docsRoutes } from './docs.ts';
import { problem } from './problem.ts';

export interface OpenApiRoutesOptions {
  readonly registry: Registry;
  readonly version: string;
  readonly serverUrl?: string;
  /** The tools a caller may use (the call pipeline's visibleTools: one array per grant and tool set). */
  readonly visibleTools: (caller: Caller) => readonly ToolSpec[];
  readonly authenticate?: (req: Request) => Promise<Caller>;
}

export const SIGN_IN_HINT =
  'This gateway requires authentication: no tools are listed without a credential. In Swagger UI, choose Authorize and enter your client key (or OAuth access token); the page then reloads this document with it and lists the tools that key may use. Elsewhere send Authorization: Bearer <key>.';

const NO_TOOLS: readonly ToolSpec[] = Object.freeze([]);

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
/** Honest sizes on the docs page: what each MCP endpoint's tools/list costs this caller. */
function sizesMarkdown(tools: readonly ToolSpec[], set: ToolSet): string {
  const row = (endpoint: string, s: ListStats, note = '') =>
    `| \`${endpoint}\` | ${s.tools} | ${kb(s.bytes)} | ~${s.approxTokens.toLocaleString('en')} |${note}`;
  const rows = [row('/mcp', listStats(tools))];
  for (const v of set.toolsets.values()) {
    const members = tools.filter((t) => v.has(t.name)).map(v.listed);
    rows.push(row(`/mcp/${v.name}`, listStats(members), v.discovery ? ' discovery: clients load 3 meta-tools' : ''));
  }
  return `The tools you may use, as REST calls. Each MCP endpoint's \`tools/list\` for you:\n\n| endpoint | tools | tools/list | tokens | |\n|---|--:|--:|--:|---|\n${rows.join('\n')}`;
}

export function openApiRoutes(opts: OpenApiRoutesOptions) {
  // one text per visible-tools array (they are memoised per grant and tool set, so this stays small)
  let texts = new WeakMap<readonly ToolSpec[], string>();
  let forSet = opts.registry.current();
  const document = (tools: readonly ToolSpec[], anonymousHint: boolean) => {
    const set = opts.registry.current();
    if (set !== forSet) {
      texts = new WeakMap();
      forSet = set;
    }
    const key = anonymousHint ? NO_TOOLS : tools;
    let text = texts.get(key);
    if (text === undefined) {
      const doc = buildOpenApiDocument(tools, {
        title: 'Nexus tools',
        version: opts.version,
        security: 'bearer',
        extraPaths: ADMIN_PATHS,
        ...(opts.serverUrl && { serverUrl: opts.serverUrl }),
      });
      (doc.info as Record<string, unknown>).description = anonymousHint ? SIGN_IN_HINT : sizesMarkdown(tools, set);
      texts.set(key, (text = JSON.stringify(doc)));
    }
    return text;
  };
  const headers = { 'content-type': 'application/json', 'cache-control': 'no-store', vary: 'authorization' };

  return new Elysia({ name: 'openapi' })
    .get('/openapi.json', async ({ request }) => {
      let caller: Caller = ANONYMOUS;
      try {
        if (opts.authenticate) caller = await opts.authenticate(request);
      } catch (e) {
        const err = toNexusError(e);
        const noCredential = err.code === 'UNAUTHORIZED' && !request.headers.has('authorization');
        if (!noCredential) return problem(err);
        return new Response(document(NO_TOOLS, true), { headers });
      }
      return new Response(document(opts.visibleTools(caller), false), { headers });
    })
    .use(docsRoutes({ openapiUrl: '/openapi.json', title: 'Nexus tools' }));
}
