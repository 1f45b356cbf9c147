// JSON Schema 2020-12 checks for tool arguments: schemas are checked at load, compiled on first use.

import type { ErrorObject, ValidateFunction } from 'ajv';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { NexusError } from '../errors.ts';
import type { JsonObject } from './spec.ts';

const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: true });
addFormats(ajv);

/** Arguments nested deeper than this are refused before any schema work (stack-safe). */
export const MAX_ARGUMENT_DEPTH = 64;

const compiled = new WeakMap<object, ValidateFunction>();

/**
 * Problems with a schema itself, or [] when it is a usable JSON Schema. The meta-schema check is cheap;
 * `compile` (thorough, as `nexus check` does) also catches unresolvable $refs, at ~1 ms per schema,
 * which is why serving compiles lazily on first call instead.
 */
export function schemaProblems(schema: JsonObject, compile = false): string[] {
  if (!ajv.validateSchema(schema)) return (ajv.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
  if (!compile) return [];
  try {
    validatorFor(schema);
    return [];
  } catch (e) {
    return [(e as Error).message];
  }
}

function validatorFor(schema: JsonObject): ValidateFunction {
  let v = compiled.get(schema);
  if (!v) compiled.set(schema, (v = ajv.compile(schema)));
  return v;
}

/** Depth of a JSON value, computed without recursion so hostile input cannot overflow the stack. */
export function jsonDepthExceeds(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d > max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, d + 1]);
  }
  return false;
}

const describe = (e: ErrorObject): string => {
  const where = `arguments${e.instancePath.replace(/\//g, '.')}`;
  switch (e.keyword) {
    case 'required':
      return `${where}.${(e.params as { missingProperty: string }).missingProperty}: is required`;
    case 'additionalProperties':
      return `${where}.${(e.params as { additionalProperty: string }).additionalProperty}: is not allowed`;
    case 'enum':
      return `${where}: must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return `${where}: ${e.message}`;
  }
};

/** Throws INVALID_INPUT listing every violation; returns the arguments otherwise. */
export function checkArguments(toolName: string, schema: JsonObject, args: unknown): Record<string, unknown> {
  if (args === undefined || args === null) args = {};
  if (typeof args !== 'object' || Array.isArray(args)) {
    throw new NexusError('INVALID_INPUT', `invalid arguments for tool ${toolName}: arguments must be an object`, {
      details: { issues: ['arguments: must be an object'] },
    });
  }
  if (jsonDepthExceeds(args, MAX_ARGUMENT_DEPTH)) {
    const issue = `arguments: nested deeper than ${MAX_ARGUMENT_DEPTH} levels`;
    throw new NexusError('INVALID_INPUT', `invalid arguments for tool ${toolName}: ${issue}`, { details: { issues: [issue] } });
  }
  let validate: ValidateFunction;
  try {
    validate = validatorFor(schema);
  } catch (e) {
    throw new NexusError('INVALID_CONFIG', `tool ${toolName} has an unusable input schema: ${(e as Error).message}`);
  }
  if (!validate(args)) {
    const issues = [...new Set((validate.errors ?? []).map(describe))];
    throw new NexusError('INVALID_INPUT', `invalid arguments for tool ${toolName}: ${issues.join('; ')}`, {
      details: { issues },
    });
  }
  return args as Record<string, unknown>;
}

/** Issues of a backend answer against a tool's declared output schema ([] when it conforms). */
export function outputIssues(schema: JsonObject, value: unknown): string[] {
  const validate = validatorFor(schema);
  if (validate(value)) return [];
  return [...new Set((validate.errors ?? []).map((e) => describe(e).replace(/^arguments/, 'answer')))];
}
