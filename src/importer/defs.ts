// The `$defs` a tool schema needs: every `#/$defs/NAME` it (or a def it pulls in) refers to.
import { isRecord, type JsonRecord } from '../util/json.ts';
import { DEFS_PREFIX } from './refs.ts';
import { type SchemaMode, toJsonSchema } from './schema.ts';

function refsIn(value: unknown, out: string[]): void {
  if (Array.isArray(value)) for (const v of value) refsIn(v, out);
  else if (isRecord(value)) {
    if (typeof value.$ref === 'string' && value.$ref.startsWith(DEFS_PREFIX)) out.push(value.$ref.slice(DEFS_PREFIX.length));
    for (const [k, v] of Object.entries(value)) if (k !== '$ref' && k !== 'enum' && k !== 'const' && k !== 'examples') refsIn(v, out);
  }
}

/** Past this many bytes of definitions, a tool's remaining defs accept any value (a note says so). */
export const DEFS_BUDGET = 24 * 1024;

const CUT = { description: 'Not expanded here (the schema is too large); see the API documentation.' };

/** `schema` with a root `$defs` holding the converted body of every def it reaches (none: unchanged). */
export function withDefs(schema: JsonRecord, def: (name: string) => unknown, mode: SchemaMode, dropped?: string[]): JsonRecord {
  const queue: string[] = [];
  refsIn(schema, queue);
  if (!queue.length) return schema;
  const defs: JsonRecord = {};
  let bytes = 0;
  // breadth first, so the defs nearest the tool are the ones kept whole
  for (let i = 0; i < queue.length; i++) {
    const name = queue[i]!;
    if (name in defs) continue;
    if (bytes > DEFS_BUDGET) {
      defs[name] = CUT;
      continue;
    }
    const body = toJsonSchema(def(name) ?? {}, mode, dropped);
    defs[name] = body;
    bytes += JSON.stringify(body).length;
    refsIn(body, queue);
  }
  const sorted = Object.fromEntries(
    Object.keys(defs)
      .sort()
      .map((k) => [k, defs[k]]),
  );
  return { ...schema, $defs: { ...(isRecord(schema.$defs) ? schema.$defs : {}), ...sorted } };
}

/** The warning for patterns left out of a tool's schemas. */
export const droppedPatterns = (dropped: readonly string[]): string =>
  `${dropped.length} pattern(s) JavaScript cannot compile were dropped (e.g. ${JSON.stringify(dropped[0]).slice(0, 80)})`;
