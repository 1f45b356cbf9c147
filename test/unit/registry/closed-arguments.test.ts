// Input schemas that do not say whether other properties are allowed refuse them (also through allOf
// and $ref), while an explicit additionalProperties opts in; metric series stay bounded.
import { expect, test } from 'bun:test';
import type { NexusError } from '../../../src/errors.ts';
import { createMetrics, MAX_SERIES_PER_METRIC } from '../../../src/metrics.ts';
import { checkArguments } from '../../../src/registry/arguments.ts';

const issues = (schema: Record<string, unknown>, args: unknown): string[] => {
  try {
    checkArguments('t', schema, args);
    return [];
  } catch (e) {
    return (e as NexusError).details?.issues as string[];
  }
};

test('an undeclared argument is refused at the top, in nested objects and through allOf and $ref', () => {
  const viaAllOf = { allOf: [{ type: 'object', properties: { a: { type: 'string' } } }, { properties: { b: { type: 'string' } } }] };
  const viaRef = { $defs: { base: { type: 'object', properties: { a: { type: 'string' } } } }, $ref: '#/$defs/base' };
  expect({
    top: issues({ type: 'object', properties: { a: { type: 'string' } } }, { a: 'x', is_admin: true }),
    noProperties: issues({ type: 'object' }, { anything: 1 }),
    nested: issues({ type: 'object', properties: { o: { type: 'object', properties: { a: {} } } } }, { o: { a: 1, b: 2 } }),
    inArrays: issues(
      { type: 'object', properties: { l: { type: 'array', items: { type: 'object', properties: { a: {} } } } } },
      { l: [{ a: 1, z: 0 }] },
    ),
    allOfOk: issues(viaAllOf, { a: 'x', b: 'y' }),
    allOfExtra: issues(viaAllOf, { a: 'x', c: 'z' }),
    refExtra: issues(viaRef, { a: 'x', c: 'z' }),
  }).toEqual({
    top: ['arguments.is_admin: is not allowed'],
    noProperties: ['arguments.anything: is not allowed'],
    nested: ['arguments.o.b: is not allowed'],
    inArrays: ['arguments.l.0.z: is not allowed'],
    allOfOk: [],
    allOfExtra: ['arguments.c: is not allowed'],
    refExtra: ['arguments.c: is not allowed'],
  });
});

test('additionalProperties true or a schema, and a free-form nested object, allow other arguments', () => {
  expect({
    open: issues({ type: 'object', properties: { a: {} }, additionalProperties: true }, { a: 1, b: 2 }),
    typed: issues({ type: 'object', additionalProperties: { type: 'string' } }, { b: 'x' }),
    freeForm: issues({ type: 'object', properties: { filters: { type: 'object' } } }, { filters: { any: 1 } }),
  }).toEqual({ open: [], typed: [], freeForm: [] });
});

test('a metric keeps at most MAX_SERIES_PER_METRIC series; further label sets share one overflow series', () => {
  const m = createMetrics();
  for (let i = 0; i < MAX_SERIES_PER_METRIC + 500; i++) m.inc('nexus_tool_calls_total', { tool: `t${i}`, outcome: 'ok' });
  m.inc('nexus_tool_calls_total', { tool: 't0', outcome: 'ok' });
  const lines = m
    .render()
    .split('\n')
    .filter((l) => l.startsWith('nexus_tool_calls_total'));
  expect({
    series: lines.length,
    overflow: lines.find((l) => l.includes('overflow')),
    existingStillCounts: lines.find((l) => l.includes('tool="t0"')),
  }).toEqual({
    series: MAX_SERIES_PER_METRIC + 1,
    overflow: 'nexus_tool_calls_total{overflow="true"} 500',
    existingStillCounts: 'nexus_tool_calls_total{outcome="ok",tool="t0"} 2',
  });
});
