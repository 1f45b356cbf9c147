// Test helper: an imported tool file passes the same checks as `nexus check` (schema, placeholders, JSON Schemas).
import { expect } from 'bun:test';
import { parse } from 'yaml';
import { emitToolFile } from '../../../src/importer/emit.ts';
import { loadToolFile } from '../../../src/registry/load.ts';
import { type ToolFile, ToolFileSchema } from '../../../src/registry/schema.ts';
import type { ToolSpec } from '../../../src/registry/spec.ts';

/** Emits the file, re-reads it like `nexus check --tools` does, and returns the normalised tools. */
export function expectValidToolFile(file: ToolFile, name = 'imported.yaml'): ToolSpec[] {
  expect(ToolFileSchema.safeParse(file).error).toBeUndefined();
  const text = emitToolFile(file, { source: 'spec.yaml', title: 'Test', specVersion: '3.1', generatedAt: new Date(0) });
  expect(parse(text)).toEqual(JSON.parse(JSON.stringify(file)));
  const { tools, issues } = loadToolFile(name, text, { thorough: true, env: {} });
  expect(issues).toEqual([]);
  expect(tools.length).toBe(file.tools?.length ?? 0);
  return tools;
}
