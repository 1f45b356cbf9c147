// One tools/call on an upstream session, in a client span whose trace context the upstream receives
// (traceparent header on HTTP, params._meta on every transport): posted directly on a Streamable HTTP
// session when the tool allows it (src/upstream/direct.ts), otherwise through the SDK client.
import type { Tool } from '@modelcontextprotocol/client';
import type { InvokeContext } from '../call/types.ts';
import type { ToolResult } from '../invoke/result.ts';
import type { ServerSpec } from '../registry/spec.ts';
import { NOOP_SPAN, type Span, type Tracer } from '../trace/tracer.ts';
import { dataMasker } from '../util/redact-data.ts';
import type { Connection } from './connection.ts';
import { directCall, directEligible, LEAVE_TO_SDK } from './direct.ts';

export interface UpstreamCall {
  readonly server: ServerSpec;
  readonly tool: string;
  readonly args: Record<string, unknown>;
  readonly definition?: Tool;
  readonly timeoutMs: number;
  readonly ctx: InvokeContext;
  /** 2 when this is the one retry on a new session. */
  readonly attempt: 1 | 2;
}

export function callUpstream(conn: Connection, c: UpstreamCall, tracer: Tracer): Promise<ToolResult> {
  if (!tracer.enabled) return send(conn, c, NOOP_SPAN, undefined);
  return tracer.span(`tools/call ${c.tool}`, clientSpan(conn, c), (span) => {
    const trace: Record<string, string> = {};
    span.inject((k, v) => {
      trace[k] = v;
    });
    return send(conn, c, span, trace);
  });
}

async function send(conn: Connection, c: UpstreamCall, span: Span, trace: Record<string, string> | undefined): Promise<ToolResult> {
  const { ctx } = c;
  if (conn.direct && directEligible(c.tool, c.definition?.inputSchema)) {
    const got = await directCall(conn.direct, c.tool, c.args, {
      timeoutMs: c.timeoutMs,
      ...(ctx.signal && { signal: ctx.signal }),
      ...(ctx.onProgress && { onProgress: ctx.onProgress }),
      ...(trace && { trace }),
    });
    if (got !== LEAVE_TO_SDK) {
      if (c.definition?.outputSchema && got.result.isError !== true && got.result.structuredContent === undefined)
        throw new Error(`tool ${c.tool} has an output schema but did not return structured content`);
      return mark(shape(got.result, conn.secrets, got.text), span);
    }
  }
  const result = await conn.client.callTool(
    { name: c.tool, arguments: c.args, ...(trace && { _meta: trace }) },
    {
      timeout: c.timeoutMs,
      ...(ctx.signal && { signal: ctx.signal }),
      ...(ctx.onProgress && { onprogress: ctx.onProgress }),
      ...(c.definition && { toolDefinition: c.definition }),
      ...(trace && conn.via !== 'stdio' && { headers: trace }),
    },
  );
  return mark(shape(result, conn.secrets), span);
}

const mark = (r: ToolResult, span: Span) => {
  if (r.isError) span.fail('tool_error');
  return r;
};

function clientSpan(conn: Connection, c: UpstreamCall) {
  const t = c.server.transport;
  const url = t.kind === 'http' ? t.url : undefined;
  return {
    kind: 'client' as const,
    attributes: {
      'mcp.method.name': 'tools/call',
      'gen_ai.tool.name': c.tool,
      'gen_ai.operation.name': 'execute_tool',
      'mcp.protocol.version': conn.client.getNegotiatedProtocolVersion(),
      'network.transport': url ? 'tcp' : 'pipe',
      'server.address': url?.hostname,
      'server.port': url ? Number(url.port) || (url.protocol === 'https:' ? 443 : 80) : undefined,
      'nexus.upstream': c.server.name,
      'mcp.request.resend_count': c.attempt === 2 ? 1 : undefined,
    },
  };
}

/** The upstream's result as Nexus's: blocks passed through, credential values masked. */
export function shape(
  r: { content?: unknown; structuredContent?: unknown; isError?: unknown },
  secrets: Set<string>,
  text?: string,
): ToolResult {
  const mask = dataMasker([...secrets]);
  const value = { content: r.content ?? [], structuredContent: r.structuredContent };
  // no escape in the text and no secret in it: no decoded string holds one either, skip the walk
  const skip = text !== undefined && !text.includes('\\') && !mask.test(text);
  // decoded values, not their JSON text: every string of every block (base64 data too) masked in one pass
  const clean = (skip ? value : mask.json(value)) as { content: ToolResult['content']; structuredContent?: Record<string, unknown> };
  return {
    content: clean.content,
    isError: r.isError === true,
    ...(clean.structuredContent && typeof clean.structuredContent === 'object' && { structuredContent: clean.structuredContent }),
  };
}
