// Access rules for token callers (NEXUS_ACCESS_RULES, YAML): each rule maps token claims to tool-name
// patterns; a caller gets the union of the tools of every rule whose conditions all match.
//   rules:
//     - when: { scope: jira }        # `scope`/`scp` are space-separated; array claims match any element
//       tools: ['jira_*']
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { CALLER_PATTERN, CALLER_PATTERN_HELP } from '../caller.ts';
import { NexusError } from '../errors.ts';
import { formatIssue, formatPath, type Issue, parseYaml } from '../registry/yaml-file.ts';
import { plainIssues } from '../registry/zod-issues.ts';

const Scalar = z.union([z.string().min(1), z.number(), z.boolean()]);
const Pattern = z.string().regex(CALLER_PATTERN, CALLER_PATTERN_HELP);

const RuleSchema = z.strictObject({
  description: z.string().optional(),
  when: z
    .record(z.string().min(1), z.union([Scalar, z.array(Scalar).min(1)]))
    .refine((w) => Object.keys(w).length > 0, 'a rule needs at least one claim condition'),
  tools: z.array(Pattern).min(1),
});

export const RulesFileSchema = z.strictObject({ rules: z.array(RuleSchema) });
export type RulesFile = z.infer<typeof RulesFileSchema>;

export type Claims = Readonly<Record<string, unknown>>;

export interface AccessRules {
  /** Tool patterns the claims grant (empty: none). Equal sets return the same array. */
  toolsFor(claims: Claims): readonly string[];
  /** Every scope value the rules mention, for the protected-resource metadata. */
  readonly scopes: readonly string[];
}

const SPACE_SEPARATED = new Set(['scope', 'scp']);

function claimValues(claims: Claims, name: string): string[] {
  let v: unknown = claims[name];
  if (v === undefined && name.includes('.')) {
    v = name.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), claims);
  }
  if (v === undefined || v === null) return [];
  const list = Array.isArray(v) ? v : [v];
  return list.flatMap((x) =>
    typeof x === 'string' ? (SPACE_SEPARATED.has(name) ? x.split(' ').filter(Boolean) : [x]) : typeof x === 'object' ? [] : [String(x)],
  );
}

export function compileRules(file: RulesFile): AccessRules {
  const rules = file.rules.map((r) => ({
    when: Object.entries(r.when).map(([claim, want]) => ({ claim, want: new Set((Array.isArray(want) ? want : [want]).map(String)) })),
    tools: r.tools,
  }));
  const interned = new Map<string, readonly string[]>();
  const scopes = new Set(
    file.rules.flatMap((r) =>
      Object.entries(r.when)
        .filter(([k]) => SPACE_SEPARATED.has(k))
        .flatMap(([, v]) => (Array.isArray(v) ? v : [v]).map(String)),
    ),
  );
  return {
    scopes: [...scopes],
    toolsFor(claims) {
      const tools = new Set<string>();
      for (const r of rules) {
        if (r.when.every((c) => claimValues(claims, c.claim).some((v) => c.want.has(v)))) for (const t of r.tools) tools.add(t);
      }
      const list = tools.has('*') ? ['*'] : [...tools].sort();
      const key = list.join('\n');
      let out = interned.get(key);
      if (!out) {
        if (interned.size > 10_000) interned.clear();
        interned.set(key, (out = Object.freeze(list)));
      }
      return out;
    },
  };
}

/** Parses and validates a rules file; throws INVALID_CONFIG listing every issue with its line. */
export function parseRules(file: string, text: string): AccessRules {
  const parsed = parseYaml(file, text);
  const issues: Issue[] = [...parsed.issues];
  if (!issues.length) {
    const result = RulesFileSchema.safeParse(parsed.value ?? {});
    if (result.success) return compileRules(result.data);
    for (const i of plainIssues(result.error, parsed.value)) {
      issues.push({ file, line: parsed.lineOf(i.path, i.atKey), path: formatPath(i.path), message: i.message });
    }
  }
  throw new NexusError('INVALID_CONFIG', `access rules have ${issues.length} issue(s):\n  ${issues.map(formatIssue).join('\n  ')}`, {
    details: { issues },
  });
}

export function loadRules(path: string): AccessRules {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new NexusError('INVALID_CONFIG', `cannot read access rules ${path}`, { cause: e });
  }
  return parseRules(path, text);
}

/** Rules from the file NEXUS_ACCESS_RULES names, or undefined when it is not set. */
export function rulesOf(config: { readonly accessRules?: string }): AccessRules | undefined {
  return config.accessRules ? loadRules(config.accessRules) : undefined;
}
