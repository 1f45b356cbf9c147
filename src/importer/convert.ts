// One operation -> one tool declaration (or the reasons it was skipped).
import { HTTP_METHODS, type HttpMethod, type ToolDecl } from '../registry/schema.ts';
import { isRecord, type JsonRecord } from '../util/json.ts';
import type { AuthPlan } from './auth.ts';
import { isJsonMediaType } from './body.ts';
import { droppedPatterns, withDefs } from './defs.ts';
import { planInput } from './input.ts';
import { describeRefIssues } from './refs.ts';
import { toJsonSchema } from './schema.ts';
import type { Operation } from './types.ts';

export interface ConvertContext {
  readonly name: string;
  readonly auth: AuthPlan;
  readonly baseUrl: string;
  /** Bodies of the `#/$defs/NAME` references in the operation's schemas. */
  readonly def: (name: string) => unknown;
}

export interface Converted {
  readonly tool?: ToolDecl;
  /** Each names the operation. */
  readonly warnings: string[];
  /** Why it was skipped, as a short reason shared by similar operations (the summary counts them). */
  readonly skipped?: string;
}

export const MAX_DESCRIPTION = 1000;
/** Where an imported tool keeps the operationId it was made from (its name may differ: 64 characters, A-Z a-z 0-9 _ -). */
export const OPERATION_ID_KEY = 'nexus/operation_id';

export function convertOperation(op: Operation, ctx: ConvertContext): Converted {
  const warnings: string[] = [];
  const warn = (text: string) => warnings.push(`${op.label}: ${text}`);
  const method = op.method as HttpMethod;
  if (!(HTTP_METHODS as readonly string[]).includes(method)) {
    warn(`method ${op.method} is not supported; operation skipped`);
    return { warnings, skipped: `method ${op.method} not supported` };
  }
  if (op.broken) {
    warn(`${op.broken}; operation skipped`);
    return { warnings, skipped: 'parameter without a name or location' };
  }
  for (const issue of describeRefIssues(op.refIssues)) warn(issue);
  const plan = planInput(op, method, ctx.def);
  for (const w of plan.warnings) warn(w);
  if (!plan.ok) {
    warn(`${plan.reason}; operation skipped`);
    return { warnings, skipped: plan.kind };
  }
  if (op.hasCallbacks) warn('callbacks are not supported and were skipped');
  const { auth, warning } = ctx.auth.forOperation(op.security);
  if (warning) warn(warning);
  const dropped: string[] = [];
  const output = outputSchema(op, ctx.def, dropped);
  if (dropped.length) warn(`output: ${droppedPatterns(dropped)}`);
  const annotations =
    method === 'GET' ? { readOnlyHint: true } : method === 'PUT' || method === 'DELETE' ? { idempotentHint: true } : undefined;
  const server = op.servers.find((u) => /^https?:\/\//i.test(u));
  const tool: ToolDecl = {
    name: ctx.name,
    ...(op.summary && { title: op.summary }),
    description: describeOperation(op),
    input: plan.input,
    request: plan.request,
    ...(output && { output, output_check: 'warn' as const }),
    ...(annotations && { annotations }),
    ...(server && server.replace(/\/+$/, '') !== ctx.baseUrl && { backend: { base_url: server.replace(/\/+$/, '') } }),
    ...(auth && { auth }),
    ...(op.operationId && { meta: { [OPERATION_ID_KEY]: op.operationId } }),
  };
  return { tool, warnings };
}

/** The 200 (else 201) JSON answer's schema, when it describes an object. */
function outputSchema(op: Operation, def: ConvertContext['def'], dropped: string[]): JsonRecord | undefined {
  for (const status of ['200', '201']) {
    const content = op.responses[status];
    const json = content && Object.keys(content).find(isJsonMediaType);
    if (!json) continue;
    const schema = toJsonSchema(content[json], 'output', dropped);
    return isRecord(schema) && schema.type === 'object' ? withDefs(schema, def, 'output', dropped) : undefined;
  }
  return undefined;
}

const tidy = (text: string): string =>
  text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();

/** Summary + description, trimmed to a length a model reads in full. */
export function describeOperation(op: Pick<Operation, 'summary' | 'description' | 'deprecated' | 'method' | 'path'>): string {
  const summary = op.summary ? tidy(op.summary) : '';
  const description = op.description ? tidy(op.description) : '';
  let text: string;
  if (!summary) text = description;
  else if (!description || description.startsWith(summary.replace(/\.$/, ''))) text = description || summary;
  else text = `${/[.!?]$/.test(summary) ? summary : `${summary}.`}${description.includes('\n') ? '\n\n' : ' '}${description}`;
  if (!text) text = `${op.method} ${op.path}`;
  if (op.deprecated) text = `Deprecated. ${text}`;
  if (text.length <= MAX_DESCRIPTION) return text;
  const cut = text.slice(0, MAX_DESCRIPTION - 1);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), MAX_DESCRIPTION / 2)).trimEnd()}…`;
}
