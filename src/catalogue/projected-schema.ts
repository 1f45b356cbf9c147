// The output schema of a projected answer, inferred from the tool's declared output schema through the
// JMESPath expression, so that the outputSchema clients see matches what they get. Conservative: where
// the shape cannot be known (functions, literals, $ref), the schema says nothing ({}).
import type { ExpressionNode } from './projection.ts';

type Schema = Record<string, unknown>;
type Node = { type: string; [k: string]: unknown };
const ANY: Schema = {};

const types = (s: Schema): string[] => (Array.isArray(s.type) ? (s.type as string[]) : typeof s.type === 'string' ? [s.type] : []);

function nullable(s: Schema): Schema {
  if (Object.keys(s).length === 0) return s;
  const t = types(s);
  if (t.length) return t.includes('null') ? s : { ...s, type: [...t, 'null'] };
  return { anyOf: [s, { type: 'null' }] };
}

/** Drops constraints a projection may no longer satisfy (required keys, closed objects). */
function loosen(s: unknown): Schema {
  if (s === null || typeof s !== 'object' || Array.isArray(s)) return ANY;
  const { required: _r, additionalProperties: _a, $ref, ...rest } = s as Schema;
  if ($ref !== undefined) return ANY;
  const out: Schema = { ...rest };
  if (rest.properties && typeof rest.properties === 'object')
    out.properties = Object.fromEntries(Object.entries(rest.properties as Schema).map(([k, v]) => [k, loosen(v)]));
  if (rest.items !== undefined) out.items = loosen(rest.items);
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) if (Array.isArray(rest[key])) out[key] = (rest[key] as unknown[]).map(loosen);
  return out;
}

const property = (s: Schema, name: string): Schema => {
  const props = s.properties as Record<string, Schema> | undefined;
  return props?.[name] ? nullable(props[name]!) : ANY;
};
const items = (s: Schema): Schema => (s.items && typeof s.items === 'object' ? (s.items as Schema) : ANY);
const arrayOf = (item: Schema): Schema => ({ type: ['array', 'null'], items: item });

function infer(node: Node, s: Schema): Schema {
  switch (node.type) {
    case 'Field':
      return property(s, node.name as string);
    case 'Subexpression':
    case 'Pipe':
      return infer(node.right as Node, infer(node.left as Node, s));
    case 'Current':
    case 'Identity':
      return s;
    case 'Flatten': {
      const inner = items(infer(node.child as Node, s));
      return arrayOf(types(inner).includes('array') ? items(inner) : inner);
    }
    case 'Projection':
    case 'FilterProjection': {
      const left = infer(node.left as Node, s);
      const base = types(left).includes('array') ? items(left) : ANY;
      return arrayOf(infer(node.right as Node, base));
    }
    case 'Slice':
      return s;
    case 'IndexExpression':
      return nullable(items(infer(node.left as Node, s)));
    case 'Index':
      return nullable(items(s));
    case 'MultiSelectHash': {
      const children = node.children as { name: string; value: Node }[];
      return { type: ['object', 'null'], properties: Object.fromEntries(children.map((c) => [c.name, infer(c.value, s)])) };
    }
    case 'MultiSelectList':
      return arrayOf(ANY);
    default:
      return ANY;
  }
}

/**
 * The outputSchema to publish for a projected tool: an object schema, or undefined when the projection
 * yields something else (MCP output schemas describe objects only).
 */
export function projectedOutputSchema(ast: ExpressionNode | undefined, declared: Schema | undefined): Schema | undefined {
  const raw = declared ? loosen(declared) : ANY;
  const s = ast ? infer(ast as unknown as Node, raw) : raw;
  if (!types(s).includes('object')) return undefined;
  return { ...s, type: 'object' };
}
