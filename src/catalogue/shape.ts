// Attaches a projection to a tool and applies it to results: the one place both `response:` on a tool
// and `response:` in an override go through.
import type { Content, ToolResult } from '../invoke/result.ts';
import type { ResponseDecl } from '../registry/schema.ts';
import type { JsonObject, ToolSpec } from '../registry/spec.ts';
import { projectedOutputSchema } from './projected-schema.ts';
import { compileProjection } from './projection.ts';

const MAX_NOTES = 5;

/** The tool with its projection compiled and its published output schema matching the projected shape. */
export function withProjection<T extends ToolSpec>(tool: T, decl: ResponseDecl): T {
  const projection = compileProjection({
    ...(decl.select !== undefined && { select: decl.select }),
    ...(decl.max_items !== undefined && { maxItems: decl.max_items }),
    ...(decl.max_chars !== undefined && { maxChars: decl.max_chars }),
    ...(decl.drop_empty !== undefined && { dropEmpty: decl.drop_empty }),
  });
  const answerSchema = tool.answerSchema ?? tool.outputSchema;
  const reshapes = decl.select !== undefined || decl.drop_empty === true;
  // an unpublished answer schema (output_check: warn) stays unpublished unless the projection declares one
  const published = tool.outputCheck === 'warn' ? undefined : answerSchema;
  const outputSchema: JsonObject | undefined = decl.output ?? (reshapes ? projectedOutputSchema(projection.ast, published) : published);
  const { outputSchema: _o, answerSchema: _a, ...rest } = tool;
  return {
    ...rest,
    projection,
    ...(answerSchema && { answerSchema }),
    ...(outputSchema && { outputSchema }),
  } as T;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The JSON an answer carries: an HTTP backend's parsed body, an upstream's structured content, or an
 * upstream's single text block when it is JSON. */
function answerJson(result: ToolResult): unknown {
  if (result.json !== undefined) return result.json;
  if (result.structuredContent !== undefined) return result.structuredContent;
  const texts = result.content.filter((c) => c.type === 'text');
  if (texts.length !== 1) return undefined;
  try {
    return JSON.parse((texts[0] as { text: string }).text);
  } catch {
    return undefined;
  }
}

/** Projects a successful JSON answer; cuts long text; leaves errors' excerpts as they are. */
export function projectResult(result: ToolResult, tool: ToolSpec): ToolResult {
  const p = tool.projection;
  if (!p) return result;
  const raw = result.isError ? undefined : answerJson(result);
  if (raw === undefined) {
    if (p.spec.maxChars === undefined) return result;
    return { ...result, content: result.content.map((c): Content => (c.type === 'text' ? { ...c, text: p.cutText(c.text) } : c)) };
  }
  const { value, notes } = p.apply(raw);
  const content: Content[] = [{ type: 'text', text: p.cutText(JSON.stringify(value) ?? 'null') }];
  if (notes.length) {
    const more = notes.length > MAX_NOTES ? `; and ${notes.length - MAX_NOTES} more arrays cut` : '';
    content.push({ type: 'text', text: `[Nexus cut long lists: ${notes.slice(0, MAX_NOTES).join('; ')}${more}]` });
  }
  // images, audio and resources an upstream sent alongside stay as they are
  content.push(...result.content.filter((c) => c.type !== 'text'));
  const { structuredContent: _s, json: _j, ...rest } = result;
  return { ...rest, ...(result.json !== undefined && { json: value }), content, ...(isObject(value) && { structuredContent: value }) };
}
