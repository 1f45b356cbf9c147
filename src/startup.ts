// Checks `serve` makes before it opens anything, and `doctor` reports with the same words: the files
// the settings name (CA bundle, access rules) can be read and hold what they should.
import { readFileSync } from 'node:fs';
import { type AccessRules, rulesOf } from './auth/rules.ts';
import type { Config } from './config/config.ts';
import { NexusError } from './errors.ts';
import { redactText } from './util/redact.ts';

/** Every problem found, one line each; empty when serve may start. */
export function startupProblems(config: Config): string[] {
  return startupChecks(config).problems;
}

/** The problems, and the access rules as read (serve uses them: the file is read once). */
function startupChecks(config: Config): { problems: string[]; rules?: AccessRules } {
  const problems: string[] = [];
  let rules: AccessRules | undefined;
  try {
    rules = rulesOf(config);
  } catch (e) {
    problems.push(redactText(e instanceof Error ? e.message : String(e)));
  }
  if (config.caFile) {
    let pem = '';
    try {
      pem = readFileSync(config.caFile, 'utf8');
    } catch (e) {
      problems.push(`NEXUS_CA_FILE ${config.caFile} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    if (pem && !pem.includes('-----BEGIN CERTIFICATE-----')) problems.push(`NEXUS_CA_FILE ${config.caFile} holds no PEM certificate`);
  }
  return { problems, ...(rules && { rules }) };
}

/** Throws INVALID_CONFIG listing every problem; returns the access rules (NEXUS_ACCESS_RULES) otherwise. */
export function assertStartupChecks(config: Config): AccessRules | undefined {
  const { problems, rules } = startupChecks(config);
  if (problems.length) throw new NexusError('INVALID_CONFIG', problems.join('; '), { details: { problems } });
  return rules;
}
