// The tool-file format: one zod schema that validates files and emits schema/tools.schema.json.
import { z } from 'zod';
import { DURATION_PATTERN } from '../util/duration.ts';
import { TOOL_NAME_PATTERN } from './names.ts';

export { TOOL_NAME_PATTERN };
export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
/** How a value becomes name=value pairs; see src/invoke/encode.ts. */
export const VALUE_STYLES = ['repeat', 'comma', 'space', 'pipe', 'deep'] as const;
export const BODY_ENCODINGS = ['json', 'form', 'multipart'] as const;

const Duration = z
  .string()
  .regex(new RegExp(DURATION_PATTERN), { message: 'expected a duration like 500ms, 30s, 5m, 1h' })
  .describe('A duration: 500ms, 30s, 5m, 1h, 30d');

const CredentialName = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{1,128}$/, { message: 'expected a credential name (letters, digits, _ . : -)' })
  .describe('Name of a credential stored with `nexus vault put`');

const StringMap = z.record(z.string(), z.string());

/** The variable of a stdio server's environment that carries the credential (the token or key alone). */
const EnvName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, { message: 'expected an environment variable name (letters, digits, _)' })
  .describe("stdio servers only: the child's environment variable that gets the secret (e.g. GITHUB_TOKEN)");

export const AuthSchema = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('none') }).strict(),
    z.object({ type: z.literal('basic'), credential: CredentialName }).strict(),
    z.object({ type: z.literal('bearer'), credential: CredentialName, env: EnvName.optional() }).strict(),
    z
      .object({
        type: z.literal('api_key'),
        credential: CredentialName,
        header: z.string().min(1).optional().describe('Header that carries the key'),
        query: z.string().min(1).optional().describe('Query parameter that carries the key'),
        env: EnvName.optional(),
      })
      .strict()
      .refine((a) => [a.header, a.query, a.env].filter((v) => v !== undefined).length === 1, {
        message: 'api_key auth needs exactly one of header, query or env',
      }),
    z
      .object({
        type: z.literal('oauth2_client_credentials'),
        credential: CredentialName,
        token_url: z.string().min(1),
        scopes: z.array(z.string()).optional(),
        audience: z.string().optional(),
      })
      .strict(),
    z
      .object({
        type: z.literal('oauth2_refresh_token'),
        credential: CredentialName,
        token_url: z.string().min(1),
        scopes: z.array(z.string()).optional(),
      })
      .strict(),
  ])
  .describe('How the backend credential is injected; the secret lives in the vault, never here');

export const RateLimitSchema = z
  .object({
    requests: z.int().positive().describe('Requests allowed per window'),
    per: Duration.describe('Window length, e.g. 1m'),
  })
  .strict();

export const CacheSchema = z
  .object({
    ttl: Duration.describe('How long a successful answer is served from the cache'),
    allow_write_methods: z
      .boolean()
      .optional()
      .describe('Cache a POST/PUT/PATCH/DELETE tool too (off by default: writes are never cached)'),
    max_entry_bytes: z.int().positive().optional().describe('Answers larger than this are not cached'),
  })
  .strict();

export const TlsSchema = z
  .object({
    ca_file: z.string().optional().describe('PEM bundle of CAs trusted for this backend'),
    cert_file: z.string().optional().describe('Client certificate (PEM) for mTLS'),
    key_file: z.string().optional().describe('Client private key (PEM) for mTLS'),
    insecure: z.boolean().optional().describe('Skip certificate verification (logged loudly; never for production)'),
  })
  .strict();

const backendFields = {
  base_url: z.string().min(1).describe('http(s) URL of the backend; ${env:NAME} is interpolated'),
  timeout: Duration.optional().describe('Per-call timeout (default 30s)'),
  headers: StringMap.optional().describe('Headers sent on every request'),
  max_response_bytes: z.int().positive().optional().describe('Response size cap (default 10 MiB)'),
  auth: AuthSchema.optional(),
  rate_limit: RateLimitSchema.optional().describe('Limit for all callers together, protecting the backend'),
  proxy: z.string().optional().describe('HTTP(S) proxy URL for this backend (overrides HTTPS_PROXY)'),
  tls: TlsSchema.optional(),
  max_concurrency: z
    .int()
    .positive()
    .optional()
    .describe('Calls in flight to this backend at once; more are refused at once with 503 (default NEXUS_BACKEND_CONCURRENCY)'),
};

export const BackendSchema = z.object(backendFields).strict();
export const BackendOverrideSchema = z.object(backendFields).partial().strict();

const Scalar = z.union([z.string(), z.number(), z.boolean()]);

const ValueStyle = z
  .enum(VALUE_STYLES)
  .describe(
    'How an array or object is sent: repeat (a=1&a=2), comma (a=1,2), space (a=1%202), pipe (a=1|2), deep (a[0]=1&a[b]=2, as Stripe expects)',
  );

const QueryValue = z.union([
  Scalar,
  z
    .object({
      value: Scalar.describe('The value; "{arg}" placeholders'),
      style: ValueStyle.describe('How an array (or, with deep, an object) argument is sent; default repeat'),
    })
    .strict(),
]);

export const RequestSchema = z
  .object({
    method: z.enum(HTTP_METHODS).describe('HTTP method'),
    path: z
      .string()
      .startsWith('/', { message: 'expected a path starting with /' })
      .describe('Path; {arg} placeholders (an array argument is sent comma-separated)'),
    query: z
      .record(z.string(), QueryValue)
      .optional()
      .describe('Query parameters; "{arg}" placeholders; an array repeats the parameter unless a style says otherwise'),
    headers: StringMap.optional().describe('Extra headers; "{arg}" placeholders (an array argument is sent comma-separated)'),
    body: z.unknown().optional().describe('Body template; "{arg}" placeholders keep the argument type'),
    encoding: z
      .enum(BODY_ENCODINGS)
      .optional()
      .describe('Body encoding: json (default), form (application/x-www-form-urlencoded), multipart (multipart/form-data)'),
    body_styles: z
      .record(z.string(), ValueStyle)
      .optional()
      .describe('Style of top-level body fields in a form or multipart body (form default: deep)'),
  })
  .strict();

const isObjectSchema = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && (v as Record<string, unknown>).type === 'object';
// a check that keeps the object as it is: a record schema would copy every schema's keys (an imported
// catalogue holds thousands); what the schema itself holds is the meta-schema's to check (normalise.ts)
const JsonSchemaObject = z
  .custom<Record<string, unknown>>(isObjectSchema, { message: 'expected a JSON Schema with type: object' })
  .meta({ type: 'object', additionalProperties: {} })
  .describe('JSON Schema (2020-12) with type: object');

/** How a tool's `output` schema is used: listed and enforced, or kept as documentation and checked with a warning. */
export const OUTPUT_CHECKS = ['enforce', 'warn'] as const;

export const AnnotationsSchema = z
  .object({
    title: z.string().optional(),
    readOnlyHint: z.boolean().optional(),
    destructiveHint: z.boolean().optional(),
    idempotentHint: z.boolean().optional(),
    openWorldHint: z.boolean().optional(),
  })
  .strict();

export const TOOLSET_NAME_PATTERN = '^[a-z0-9][a-z0-9-]{0,31}$';

export const ResponseSchema = z
  .object({
    select: z.string().min(1).optional().describe('JMESPath expression picking (and renaming) what the model sees'),
    max_items: z.int().positive().optional().describe('Arrays longer than this are cut, with a note of how many were left out'),
    max_chars: z.int().min(100).optional().describe('Answer text longer than this is cut, with a truncation marker'),
    drop_empty: z.boolean().optional().describe('Drop null values, empty strings, empty arrays and empty objects'),
    output: JsonSchemaObject.optional().describe('Schema of the projected answer (default: inferred from output and select)'),
  })
  .strict()
  .describe('Answer projection, applied after redaction and before caching');

const ToolPattern = z.string().min(1).describe('Tool-name glob: * matches any run of characters');

export const ToolsetSchema = z
  .object({
    name: z
      .string()
      .regex(new RegExp(TOOLSET_NAME_PATTERN), { message: 'expected 1-32 characters from a-z 0-9 - (starting with a letter or digit)' }),
    description: z.string().optional(),
    instructions: z.string().optional().describe('Sent to clients as the MCP server instructions of /mcp/<name>'),
    include: z.array(ToolPattern).min(1).describe('Tools in the set'),
    exclude: z.array(ToolPattern).optional().describe('Tools left out even if included'),
    discovery: z.boolean().optional().describe('Serve search_tools, describe_tool and call_tool instead of listing every tool'),
    output_schemas: z
      .boolean()
      .optional()
      .describe('List output schemas (default true); false keeps tools/list small when they are large, as imported ones often are'),
    max_description_chars: z
      .int()
      .min(40)
      .optional()
      .describe("Cut each listed tool's description to this many characters, at a sentence end where possible"),
  })
  .strict()
  .describe('A named subset of the catalogue, served at /mcp/<name>');

export const ArgumentOverrideSchema = z
  .object({
    value: z.unknown().optional().describe('Always sent; hidden from the model'),
    default: z.unknown().optional().describe('Sent when the model gives none; still visible'),
    hide: z.boolean().optional().describe('Hidden from the model and never sent (unless value is set)'),
  })
  .strict()
  .refine((a) => !(a.value !== undefined && a.default !== undefined), { message: 'give value or default, not both' })
  .refine((a) => a.value !== undefined || a.default !== undefined || a.hide === true, {
    message: 'an argument override needs value, default or hide: true',
  });

export const OverrideSchema = z
  .object({
    tool: z.string().min(1).describe('Name of the tool to edit, as declared, imported or federated'),
    name: z.string().regex(new RegExp(TOOL_NAME_PATTERN), { message: 'expected 1-128 characters from A-Z a-z 0-9 _ . -' }).optional(),
    title: z.string().optional(),
    description: z.string().min(1).optional(),
    annotations: AnnotationsSchema.optional(),
    arguments: z.record(z.string(), ArgumentOverrideSchema).optional().describe('Fixed values, defaults and hidden arguments'),
    response: ResponseSchema.optional(),
    hide: z.boolean().optional().describe('Leave the tool out of the catalogue'),
  })
  .strict()
  .describe('Edits to a tool you do not own, kept apart from its definition (re-import keeps them)');

// MCP _meta key: prefix/name; prefixes with a label `modelcontextprotocol` or `mcp` are reserved by MCP
export const META_KEY_PATTERN = '^(?!(?:[^/]*\\.)?(?:modelcontextprotocol|mcp)[./])[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?/[A-Za-z0-9_.-]+$';

export const ToolSchema = z
  .object({
    name: z.string().regex(new RegExp(TOOL_NAME_PATTERN), { message: 'expected 1-128 characters from A-Z a-z 0-9 _ . -' }),
    title: z.string().optional(),
    description: z.string().min(1, { message: 'a tool needs a description (the model reads it)' }),
    input: JsonSchemaObject.optional().describe('Arguments schema; defaults to an empty object'),
    output: JsonSchemaObject.optional().describe('Result schema -> outputSchema + structuredContent'),
    output_check: z
      .enum(OUTPUT_CHECKS)
      .optional()
      .describe(
        'enforce (default): output is listed as outputSchema and an answer that does not match it is an error; warn: output is not listed, a mismatch is logged and counted and the answer passes (what import-openapi writes)',
      ),
    request: RequestSchema,
    annotations: AnnotationsSchema.optional(),
    backend: BackendOverrideSchema.optional().describe('Overrides any field of the file-level backend'),
    auth: AuthSchema.optional(),
    rate_limit: RateLimitSchema.optional().describe('Per-caller limit for this tool'),
    cache: CacheSchema.optional(),
    audit_arguments: z.boolean().optional().describe('Record arguments in the audit trail (default: only a hash)'),
    response: ResponseSchema.optional(),
    idempotent: z
      .boolean()
      .optional()
      .describe('Safe to send twice: retried on connection failure, 502, 503, 504 (default: true for GET, false otherwise)'),
    meta: z
      .record(
        z.string().regex(new RegExp(META_KEY_PATTERN), { message: 'expected a prefix/name key such as nexus/operation_id' }),
        z.unknown(),
      )
      .optional()
      .describe("Served as the tool's _meta in tools/list (the importer keeps the operationId as nexus/operation_id)"),
  })
  .strict();

export type OutputCheck = (typeof OUTPUT_CHECKS)[number];

export const SERVER_NAME_PATTERN = '^[a-z0-9][a-z0-9-]{0,31}$';
export const PREFIX_PATTERN = '^[A-Za-z0-9_-]{0,32}$';
/** The start of a URI scheme without `+` (so `<prefix>+<uri>` splits one way only). */
export const RESOURCE_PREFIX_PATTERN = '^[a-z][a-z0-9.-]{0,31}$';
export const PROTOCOLS = ['auto', '2025-11-25', '2026-07-28'] as const;

export const UpstreamToolPolicySchema = z
  .object({
    description: z.string().min(1).optional().describe("Replaces the upstream's description (which is the upstream's text, not yours)"),
    title: z.string().optional(),
    hide: z.boolean().optional().describe('Do not serve this tool'),
    cache: CacheSchema.omit({ allow_write_methods: true }).optional().describe('Cache successful answers (opt-in per tool)'),
    rate_limit: RateLimitSchema.optional().describe('Per-caller limit for this tool'),
    audit_arguments: z.boolean().optional().describe('Record arguments in the audit trail (default: only a hash)'),
  })
  .strict();

export const ServerSchema = z
  .object({
    name: z
      .string()
      .regex(new RegExp(SERVER_NAME_PATTERN), { message: 'expected 1-32 characters from a-z 0-9 - (starting with a letter or digit)' })
      .describe('The server, and the namespace of its tools (github -> github__get_issue)'),
    prefix: z
      .string()
      .regex(new RegExp(PREFIX_PATTERN), { message: 'expected up to 32 characters from A-Z a-z 0-9 _ -' })
      .optional()
      .describe('Namespace used instead of the name; "" serves the upstream names as they are'),
    url: z
      .string()
      .min(1)
      .optional()
      .describe('Streamable HTTP endpoint of a remote server (falls back to HTTP+SSE); ${env:NAME} is interpolated'),
    protocol: z.enum(PROTOCOLS).optional().describe('MCP revision to speak to a remote server (default auto: probe, else 2025-11-25)'),
    headers: StringMap.optional().describe('Headers sent on every request to a remote server'),
    tls: TlsSchema.optional(),
    proxy: z.string().optional().describe('HTTP(S) proxy URL for this server (overrides HTTPS_PROXY)'),
    command: z.string().min(1).optional().describe('A local stdio server: the program to start'),
    args: z.array(z.string()).optional().describe('Its arguments'),
    env: StringMap.optional().describe("Its environment (plus PATH and HOME), never Nexus's own"),
    cwd: z.string().min(1).optional().describe('Its working directory'),
    auth: AuthSchema.optional(),
    timeout: Duration.optional().describe('Per-call timeout (default 30s)'),
    max_response_bytes: z.int().positive().optional().describe('Answer size cap (default 10 MiB)'),
    rate_limit: RateLimitSchema.optional().describe('Limit for all callers together, protecting the server'),
    refresh: Duration.optional().describe('Re-read the tool list this often besides list_changed (default 5m)'),
    include: z.array(z.string().min(1)).optional().describe("Globs on the upstream's tool names to serve (default all)"),
    exclude: z.array(z.string().min(1)).optional().describe('Globs on tool names not to serve'),
    roots: z
      .array(
        z
          .object({
            uri: z.string().startsWith('file://', { message: 'expected a file:// URI' }).describe('A directory the server may use'),
            name: z.string().optional(),
          })
          .strict(),
      )
      .optional()
      .describe("Nexus's answer to the server's roots/list (default: relayed to the client of the call that asks)"),
    resource_prefix: z
      .string()
      .regex(new RegExp(RESOURCE_PREFIX_PATTERN), {
        message: 'expected 1-32 characters from a-z 0-9 . - (starting with a letter), the start of a URI scheme',
      })
      .optional()
      .describe(
        "Serve this server's resource URIs as <prefix>+<uri> (file:///x -> docs+file:///x), so two servers listing one URI can both be read",
      ),
    tools: z
      .record(z.string().min(1), UpstreamToolPolicySchema)
      .optional()
      .describe('Policy per upstream tool name (or glob): cache, rate_limit, audit_arguments, description, hide'),
  })
  .strict()
  .superRefine((s, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if ((s.url === undefined) === (s.command === undefined))
      issue(s.url ? 'command' : 'url', 'a server needs exactly one of url (remote) or command (stdio)');
    if (s.url !== undefined)
      for (const k of ['args', 'env', 'cwd'] as const) if (s[k] !== undefined) issue(k, `${k} is for stdio servers (command:), not url:`);
    if (s.command !== undefined)
      for (const k of ['headers', 'tls', 'proxy', 'protocol'] as const)
        if (s[k] !== undefined) issue(k, `${k} is for remote servers (url:), not command:`);
  });

export const ToolFileSchema = z
  .object({
    backend: BackendOverrideSchema.optional().describe('Shared by every tool in this file'),
    tools: z.array(ToolSchema).default([]).describe('The HTTP tools this file declares'),
    toolsets: z.array(ToolsetSchema).optional().describe('Named subsets of the catalogue, each served at /mcp/<name>'),
    overrides: z.array(OverrideSchema).optional().describe('Edits to tools declared elsewhere (imported or federated)'),
    servers: z.array(ServerSchema).optional().describe('MCP servers whose tools, prompts and resources Nexus serves'),
  })
  .strict();

export type ToolFile = z.infer<typeof ToolFileSchema>;
export type ToolDecl = z.infer<typeof ToolSchema>;
export type ServerDecl = z.infer<typeof ServerSchema>;
export type UpstreamToolPolicy = z.infer<typeof UpstreamToolPolicySchema>;
export type AuthSpec = z.infer<typeof AuthSchema>;
export type ResponseDecl = z.infer<typeof ResponseSchema>;
export type ToolsetDecl = z.infer<typeof ToolsetSchema>;
export type OverrideDecl = z.infer<typeof OverrideSchema>;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** JSON Schema of the tool-file format, for editors (`# yaml-language-server: $schema=...`). */
export function toolFileJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(ToolFileSchema, { target: 'draft-2020-12', unrepresentable: 'any', io: 'input' }) as Record<
    string,
    unknown
  >;
  return {
    ...schema,
    $id: 'https://nexus.dev/schema/tools.schema.json',
    title: 'Nexus tool file',
    description: 'Tools that Nexus serves over MCP. See README "Tool files".',
  };
}
