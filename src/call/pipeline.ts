// The one call path shared by every edge (MCP, REST): access -> arguments -> limits -> cache/coalesce
// -> the target kind's invoker (credential, backend or upstream, shape) -> output check -> audit.
// Edges translate; they never re-implement a step.
import type { Caller } from '../caller.ts';
import { completeArguments } from '../catalogue/overrides.ts';
import { projectResult } from '../catalogue/shape.ts';
import { NexusError, toNexusError } from '../errors.ts';
import { errorResult, type ToolResult } from '../invoke/result.ts';
import type { Labels } from '../metrics.ts';
import { checkArguments, outputIssues } from '../registry/arguments.ts';
import { clipName, isToolName, UNKNOWN_TOOL_LABEL } from '../registry/names.ts';
import type { JsonObject, ToolSpec } from '../registry/spec.ts';
import { NOOP_SPAN, NOOP_TRACER, type Span } from '../trace/tracer.ts';
import { matcher } from '../util/glob.ts';
import { memoize } from '../util/memo.ts';
import { redact } from '../util/redact.ts';
import type { AuditEntry, CallContext, CallDeps, CallOutcome, InvokeContext, Invoker } from './types.ts';

export type { CallContext, CallDeps, CallOutcome };

/** Nexus declining to call the target (full budget, open breaker): a protocol error, like a rate limit. */
const REFUSALS = new Set(['OVERLOADED', 'CIRCUIT_OPEN']);

const defaultCanUse = (caller: Caller, tool: string) => matcher(caller.tools)(tool);

export interface CallPipeline {
  /** The tools this caller may see, in declaration order. */
  visibleTools(caller: Caller): readonly ToolSpec[];
  call(name: string, args: unknown, caller: Caller, ctx?: CallContext): Promise<CallOutcome>;
}

/** Same error for a missing tool and a denied one, so names cannot be probed. */
export const unknownTool = (name: string) => new NexusError('NOT_FOUND', `Unknown tool: ${name}`, { details: { tool: name } });

const badToolName = (name: unknown) =>
  new NexusError('INVALID_INPUT', `invalid tool name "${clipName(name)}": expected 1-128 characters from A-Z a-z 0-9 _ . -`, {
    details: { issues: ['name: expected 1-128 characters from A-Z a-z 0-9 _ . -'] },
  });

export function createCallPipeline(deps: CallDeps): CallPipeline {
  const canUse = deps.canUse ?? defaultCanUse;
  const t = deps.tracer ?? NOOP_TRACER;
  const visibleCache = new WeakMap<object, Map<string, readonly ToolSpec[]>>();
  // One label object per tool (and outcome), so the metrics' label keys are computed once, not per call
  // Keys are declared tool names (or UNKNOWN_TOOL_LABEL) only: bounded by the tool set
  const toolLabels = memoize((tool: string): Labels => ({ tool }), 10_000);
  const outcomeLabels = memoize((k: string): Labels => {
    const [tool, outcome] = k.split('\n') as [string, string];
    return { tool, outcome };
  }, 10_000);

  const visibleTools = (caller: Caller) => {
    const set = deps.registry.current();
    let perSet = visibleCache.get(set);
    if (!perSet) visibleCache.set(set, (perSet = new Map()));
    const key = caller.tools.join('\n') + (caller.claims ? `#${caller.id}` : '');
    let list = perSet.get(key);
    if (!list) {
      if (perSet.size >= 10_000) perSet.clear(); // one entry per distinct grant; token subjects are many
      perSet.set(key, (list = set.tools.filter((t) => canUse(caller, t.name))));
    }
    return list;
  };

  // an output_check: warn schema is first checked here (serve skips it at load): one that does not
  // compile is logged once, and its answers pass unchecked as every warn answer would
  const uncheckable = new WeakSet<object>();
  function answerIssues(tool: ToolSpec, schema: JsonObject, value: unknown): string[] {
    if (tool.outputCheck !== 'warn') return outputIssues(schema, value);
    if (uncheckable.has(schema)) return [];
    try {
      return outputIssues(schema, value);
    } catch (e) {
      uncheckable.add(schema);
      deps.log?.warn('output schema (output_check: warn) is not a usable JSON Schema; answers are not compared with it', {
        tool: tool.name,
        problem: (e as Error).message.slice(0, 500),
      });
      return [];
    }
  }

  async function invoke(tool: ToolSpec, args: Record<string, unknown>, caller: Caller, ctx: InvokeContext): Promise<ToolResult> {
    const invoker = deps.invokers[tool.kind] as Invoker | undefined;
    if (!invoker) throw new NexusError('INTERNAL', `no invoker for ${tool.kind} tools`);
    const result = await invoker(tool, args, caller, ctx);
    const declared = tool.answerSchema ?? tool.outputSchema;
    if (declared && !result.isError && (result.structuredContent ?? result.json) !== undefined) {
      const issues = answerIssues(tool, declared, result.structuredContent ?? result.json);
      if (issues.length && tool.outputCheck !== 'warn')
        return errorResult(`Backend answer does not match the tool's output schema: ${issues.join('; ')}`, result.status);
      if (issues.length) {
        deps.metrics?.inc('nexus_output_mismatches_total', toolLabels(tool.name));
        deps.log?.warn('answer does not match the output schema; passed on (output_check: warn)', {
          tool: tool.name,
          issues: issues.slice(0, 5),
        });
      }
    }
    return projectResult(result, tool); // after redaction, before the cache stores it
  }

  // One span per call (GenAI semantic conventions: execute_tool); a tool name the caller may not use
  // stays out of span names and attributes, so it cannot be probed or flood the trace backend
  const call = (name: string, rawArgs: unknown, caller: Caller, ctx: CallContext = {}): Promise<CallOutcome> => {
    const started = performance.now();
    // A client-sent name is checked against the pattern before anything else (even the lookup)
    const found = isToolName(name) ? deps.registry.get(name) : undefined;
    const tool = found && canUse(caller, name) && (!ctx.within || ctx.within(name)) ? found : undefined;
    if (!t.enabled) return run(name, tool, rawArgs, caller, ctx, NOOP_SPAN, started);
    const access = performance.now();
    return t.span(
      tool ? `execute_tool ${name}` : 'execute_tool',
      {
        startTime: performance.timeOrigin + started,
        attributes: {
          'gen_ai.operation.name': 'execute_tool',
          'gen_ai.tool.name': tool ? name : undefined,
          'nexus.caller': caller.id,
          'mcp.session.id': caller.session,
        },
      },
      (span) => {
        t.record('nexus.access', performance.timeOrigin + started, performance.timeOrigin + access, {
          attributes: { 'nexus.access.decision': tool ? 'allowed' : 'denied' },
          ...(!tool && { errorType: 'NOT_FOUND' }),
        });
        return run(name, tool, rawArgs, caller, ctx, span, started);
      },
    );
  };

  async function run(
    name: string,
    tool: ToolSpec | undefined,
    rawArgs: unknown,
    caller: Caller,
    ctx: CallContext,
    span: Span,
    started: number,
  ): Promise<CallOutcome> {
    // until the name is a usable tool it is recorded clipped and counted under one label
    const wellFormed = isToolName(name);
    let label = UNKNOWN_TOOL_LABEL;
    const entry: AuditEntry = {
      time: Date.now(),
      requestId: ctx.requestId,
      caller: caller.id,
      tool: wellFormed ? name : clipName(name),
      outcome: 'ok',
    };
    const ids = t.active();
    if (ids) {
      entry.traceId = ids.traceId;
      entry.spanId = ids.spanId;
    }
    const finish = (outcome: CallOutcome | undefined, err?: NexusError) => {
      span.set('nexus.outcome', entry.outcome);
      span.set('nexus.cache', entry.cache);
      if (err) span.fail(err.code);
      else if (entry.outcome === 'error') span.fail('tool_error');
      entry.latencyMs = Math.round((performance.now() - started) * 100) / 100;
      deps.metrics?.inc('nexus_tool_calls_total', outcomeLabels(`${label}\n${entry.outcome}`));
      deps.metrics?.observe('nexus_tool_call_seconds', entry.latencyMs / 1000, toolLabels(label));
      if (err) entry.error = err.code;
      deps.audit?.(entry);
      const line = {
        requestId: entry.requestId,
        tool: entry.tool,
        caller: caller.id,
        outcome: entry.outcome,
        status: entry.backendStatus,
        ms: entry.latencyMs,
        ...(err && { error: err.code }),
      };
      if (entry.outcome === 'error' || entry.outcome === 'timeout') deps.log?.warn('tool call failed', line);
      else deps.log?.debug('tool call', line);
      return outcome;
    };
    if (!wellFormed) {
      entry.outcome = 'invalid';
      const err = badToolName(name);
      finish(undefined, err);
      throw err;
    }
    if (!tool) {
      entry.outcome = 'denied';
      const err = unknownTool(name);
      finish(undefined, err);
      throw err;
    }
    label = name;
    let args: Record<string, unknown>;
    try {
      args = t.span('nexus.arguments', undefined, () => completeArguments(tool, checkArguments(name, tool.inputSchema, rawArgs)));
      entry.argsHash = deps.hashArgs?.(args);
      if (tool.auditArguments) {
        entry.args = args;
        if (t.enabled) span.set('gen_ai.tool.call.arguments', JSON.stringify(redact(args)));
      }
      const limit = deps.limits && (await t.span('nexus.limits', undefined, () => deps.limits!(tool, caller)));
      if (limit) entry.limit = limit;
    } catch (e) {
      const err = toNexusError(e);
      entry.outcome = err.code === 'RATE_LIMITED' ? 'limited' : err.code === 'INVALID_INPUT' ? 'invalid' : 'error';
      if (err.code === 'RATE_LIMITED') entry.limit = String(err.details?.limit ?? '');
      finish(undefined, err);
      throw err;
    }
    try {
      const cacheable =
        !!tool.cache && !!deps.responses && (tool.kind !== 'http' || tool.request.method === 'GET' || tool.cache.allowWriteMethods);
      const invokeCtx: InvokeContext = ctx;
      let result: ToolResult;
      let source: CallOutcome['source'] = 'backend';
      if (cacheable) {
        // the backend call goes on while any identical caller waits: it gets the flight's signal, not ours
        const run = (signal?: AbortSignal) => invoke(tool, args, caller, { ...invokeCtx, signal });
        const got = await t.span('nexus.cache', undefined, async (cacheSpan) => {
          const identity = tool.auth && deps.credentialIdentity ? await deps.credentialIdentity(tool.auth, caller) : 'none';
          const r = await deps.responses!.fetch(tool, args, identity, run, entry.argsHash, () => ctx.signal);
          cacheSpan.set('nexus.cache.result', r.source === 'cache' ? 'hit' : r.source === 'coalesced' ? 'coalesced' : 'miss');
          return r;
        });
        result = got.value;
        source = got.source;
        entry.cache = source === 'cache' ? 'hit' : source === 'coalesced' ? 'coalesced' : 'miss';
      } else result = await invoke(tool, args, caller, invokeCtx);
      entry.backendStatus = result.status;
      if (result.isError) entry.outcome = 'error';
      return finish({ result, source, tool }, undefined)!;
    } catch (e) {
      const err = toNexusError(e);
      if (err.code === 'INVALID_INPUT' || REFUSALS.has(err.code)) {
        entry.outcome = err.code === 'INVALID_INPUT' ? 'invalid' : 'limited';
        if (entry.outcome === 'limited') entry.limit = err.code === 'OVERLOADED' ? 'backend_concurrency' : 'backend_breaker';
        finish(undefined, err);
        throw err;
      }
      entry.outcome = err.code === 'UPSTREAM_TIMEOUT' ? 'timeout' : 'error';
      if (err.code === 'INTERNAL') deps.log?.error('tool call failed', { tool: name, requestId: ctx.requestId, err: err.cause ?? err });
      deps.metrics?.inc('nexus_backend_errors_total', { tool: name, code: err.code });
      const message = err.code === 'INTERNAL' ? 'internal error while calling the backend' : err.message;
      return finish({ result: errorResult(message), source: 'backend', tool, error: err }, err)!;
    }
  }

  return { visibleTools, call };
}
