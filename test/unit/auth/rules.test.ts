import { describe, expect, test } from 'bun:test';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canUse } from '../../../src/auth/access.ts';
import { loadRules, parseRules, rulesOf } from '../../../src/auth/rules.ts';
import type { Caller } from '../../../src/caller.ts';
import { resolveConfig } from '../../../src/config/config.ts';
import type { Issue } from '../../../src/registry/yaml-file.ts';

const RULES = `rules:
  - when: { scope: jira }
    tools: ['jira_*']
  - when: { groups: sales }
    tools: ['crm_*']
  - when: { sub: svc-1 }
    tools: ['*']
  - description: both conditions must hold
    when: { groups: [eng, ops], 'realm_access.roles': admin }
    tools: [admin_reset, 'jira_delete_*']
`;

const issuesOf = (text: string): Issue[] => {
  try {
    parseRules('access.yaml', text);
  } catch (e) {
    return (e as { details: { issues: Issue[] } }).details.issues;
  }
  return [];
};

describe('access rules', () => {
  const rules = parseRules('access.yaml', RULES);

  test('scope is space-separated, array claims match any element, and matching rules add up', () => {
    expect({
      jira: rules.toolsFor({ sub: 'u', scope: 'openid jira' }),
      both: rules.toolsFor({ sub: 'u', scope: 'jira', groups: ['dev', 'sales'] }),
      none: rules.toolsFor({ sub: 'u', scope: 'jiraX', groups: 'marketing' }),
      all: rules.toolsFor({ sub: 'svc-1', scope: 'jira' }),
    }).toEqual({ jira: ['jira_*'], both: ['crm_*', 'jira_*'], none: [], all: ['*'] });
  });

  test('every condition of a rule must match, and dotted names reach nested claims', () => {
    expect({
      nested: rules.toolsFor({ sub: 'u', groups: ['ops'], realm_access: { roles: ['admin', 'user'] } }),
      halfMatch: rules.toolsFor({ sub: 'u', groups: ['ops'], realm_access: { roles: ['user'] } }),
    }).toEqual({ nested: ['admin_reset', 'jira_delete_*'], halfMatch: [] });
  });

  test('equal grants return the same array, so compiled matchers are reused', () => {
    expect(rules.toolsFor({ sub: 'a', scope: 'jira' })).toBe(rules.toolsFor({ sub: 'b', scope: 'jira email' }));
  });

  test('the scopes the rules mention are listed for the metadata document', () => {
    expect(rules.scopes).toEqual(['jira']);
  });

  test('every issue is reported with its line, unknown keys included', () => {
    const text = `rules:
  - when: { scope: jira }
    tools: []
  - when: {}
    tools: ['crm_*']
    grant: all
  - tools: ['bad pattern']
    when: { sub: x }
extra: 1
`;
    expect(issuesOf(text).map((i) => [i.line, i.path])).toEqual([
      [3, 'rules[0].tools'],
      [4, 'rules[1].when'],
      [6, 'rules[1].grant'],
      [7, 'rules[2].tools[0]'],
      [9, 'extra'],
    ]);
  });

  test('a YAML syntax error is an INVALID_CONFIG issue with a line', () => {
    expect(issuesOf('rules:\n  - when: { scope: jira\n').length).toBeGreaterThan(0);
    expect(() => parseRules('x.yaml', 'rules: [')).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
  });

  test('rules load from the file named by NEXUS_ACCESS_RULES; a missing file is INVALID_CONFIG', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nexus-rules-'));
    writeFileSync(join(dir, 'access.yaml'), RULES);
    expect(rulesOf(resolveConfig({}, { NEXUS_ACCESS_RULES: join(dir, 'access.yaml') }))?.scopes).toEqual(['jira']);
    expect(rulesOf(resolveConfig({}, {}))).toBeUndefined();
    expect(() => loadRules(join(dir, 'missing.yaml'))).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
  });
});

describe('canUse', () => {
  const caller = (tools: string[]): Caller => ({ id: 'key:k', kind: 'key', name: 'k', tools });

  test('patterns match with * only; other characters are literal', () => {
    const c = caller(['jira_*', 'crm_get_contact', 'a.b']);
    expect(['jira_search', 'jira_', 'crm_get_contact', 'crm_get_contacts', 'a.b', 'aXb', 'xjira_a'].map((t) => canUse(c, t))).toEqual([
      true,
      true,
      true,
      false,
      true,
      false,
      false,
    ]);
  });

  test('* allows everything and an empty list allows nothing', () => {
    expect([canUse(caller(['*']), 'anything'), canUse(caller([]), 'anything'), canUse(caller([]), '')]).toEqual([true, false, false]);
  });
});
