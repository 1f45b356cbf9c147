// JSON Schema 2020-12 checks for tool arguments: schemas are checked at load, compiled on first use.

import type { ErrorObject, ValidateFunction } from 'ajv';
import type Ajv2020 from 'ajv/dist/2020.js';
import { NexusError } from '../errors.ts';
import { AJV_OPTIONS } from './ajv-options.ts';
import { compilesAsIs } from './compile-proof.ts';
import validateMetaSchema from './generated/meta-validator.js';
import { badPatterns } from './patterns.ts';
import type { JsonObject } from './spec.ts';

// Ajv itself loads on the first argument check: loading tool files needs only the precompiled
// meta-schema validator (generated/meta-validator.js), and an idle gateway holds neither.
let instance: Ajv2020 | undefined;
const ajv = (): Ajv2020 => {
  if (!instance) {
    const { default: Ajv } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
    const { default: addFormats } = require('ajv-formats') as typeof import('ajv-formats');
    instance = new Ajv(AJV_OPTIONS);
    addFormats(instance);
  }
  return instance;
};
const META_2020 = /^https?:\/\/json-schema\.org\/draft\/2020-12\/schema#?$/;

/** Meta-schema errors of a schema: precompiled for 2020-12 (the default), Ajv for another declared $schema. */
function metaProblems(schema: JsonObject): ErrorObject[] {
  const declared = schema.$schema;
  if (declared === undefined || (typeof declared === 'string' && META_2020.test(declared))) {
    return validateMetaSchema(schema) ? [] : (validateMetaSchema.errors ?? []);
  }
  return ajv().validateSchema(schema) ? [] : (ajv().errors ?? []);
}

/** Arguments nested deeper than this are refused before any schema work (stack-safe). */
export const MAX_ARGUMENT_DEPTH = 64;

const compiled = new WeakMap<object, ValidateFunction>();
const compiledInput = new WeakMap<object, ValidateFunction>();

const saysOtherProperties = (s: JsonObject) => 'additionalProperties' in s || 'unevaluatedProperties' in s;
const isSchemaObject = (v: unknown): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * The input schema as enforced: an object schema that does not say whether other properties are
 * allowed refuses them (unevaluatedProperties: false, which sees through allOf/$ref), at the top and in
 * every nested object that declares properties, so an unexpected argument never reaches a request
 * body. `additionalProperties: true` (or a schema) opts in explicitly.
 */
export function closedInputSchema(schema: JsonObject, top = true): JsonObject {
  let out: JsonObject = schema;
  const props = schema.properties;
  if (isSchemaObject(props)) {
    const closedProps: JsonObject = {};
    let changed = false;
    for (const [k, v] of Object.entries(props)) {
      closedProps[k] = isSchemaObject(v) ? closedInputSchema(v, false) : v;
      changed ||= closedProps[k] !== v;
    }
    if (changed) out = { ...out, properties: closedProps };
  }
  if (isSchemaObject(schema.items)) {
    const items = closedInputSchema(schema.items, false);
    if (items !== schema.items) out = { ...out, items };
  }
  if (!saysOtherProperties(schema) && (top || isSchemaObject(props))) out = { ...out, unevaluatedProperties: false };
  return out;
}

/**
 * Problems with a schema itself, or [] when it is a usable JSON Schema. The meta-schema check is cheap;
 * `compile` (thorough, as `nexus check` does) also catches unresolvable $refs: it compiles with Ajv (~1-10
 * ms per schema) unless compile-proof.ts can tell without it; serving compiles lazily on first call.
 */
export function schemaProblems(schema: JsonObject, compile = false): string[] {
  const meta = metaProblems(schema);
  if (meta.length) return meta.map((e) => `${e.instancePath || '/'} ${e.message}`);
  // serve and check decide alike: a pattern no client can compile is refused before anything is sent
  const patterns = badPatterns(schema);
  if (patterns.length) return patterns;
  if (!compile || compilesAsIs(schema)) return [];
  try {
    validatorFor(schema);
    return [];
  } catch (e) {
    return [(e as Error).message];
  }
}

function validatorFor(schema: JsonObject): ValidateFunction {
  let v = compiled.get(schema);
  if (!v) compiled.set(schema, (v = ajv().compile(schema)));
  return v;
}

function inputValidatorFor(schema: JsonObject): ValidateFunction {
  let v = compiledInput.get(schema);
  if (!v) compiledInput.set(schema, (v = ajv().compile(closedInputSchema(schema))));
  return v;
}

/**
 * 'depth' when a JSON value nests deeper than `max`, 'unicode' when a key or string is not well-formed
 * Unicode (a lone surrogate from a "\ud800" escape, which would reach the backend as U+FFFD), else
 * undefined. Iterative, so hostile input cannot overflow the stack.
 */
export function jsonValueIssue(value: unknown, max: number): 'depth' | 'unicode' | undefined {
  const values: unknown[] = [value];
  const depths: number[] = [1];
  while (values.length) {
    const v = values.pop();
    const d = depths.pop()!;
    if (typeof v === 'string') {
      if (!v.isWellFormed()) return 'unicode';
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (d > max) return 'depth';
    if (Array.isArray(v)) {
      for (const child of v) {
        values.push(child);
        depths.push(d + 1);
      }
      continue;
    }
    for (const k in v) {
      if (!k.isWellFormed()) return 'unicode';
      values.push((v as Record<string, unknown>)[k]);
      depths.push(d + 1);
    }
  }
  return undefined;
}

const describe = (e: ErrorObject): string => {
  const where = `arguments${e.instancePath.replace(/\//g, '.')}`;
  switch (e.keyword) {
    case 'required':
      return `${where}.${(e.params as { missingProperty: string }).missingProperty}: is required`;
    case 'additionalProperties':
      return `${where}.${(e.params as { additionalProperty: string }).additionalProperty}: is not allowed`;
    case 'unevaluatedProperties':
      return `${where}.${(e.params as { unevaluatedProperty: string }).unevaluatedProperty}: is not allowed`;
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
  const problem = jsonValueIssue(args, MAX_ARGUMENT_DEPTH);
  if (problem) {
    const issue =
      problem === 'depth'
        ? `arguments: nested deeper than ${MAX_ARGUMENT_DEPTH} levels`
        : 'arguments: a string is not valid Unicode (lone surrogate)';
    throw new NexusError('INVALID_INPUT', `invalid arguments for tool ${toolName}: ${issue}`, { details: { issues: [issue] } });
  }
  let validate: ValidateFunction;
  try {
    validate = inputValidatorFor(schema);
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
