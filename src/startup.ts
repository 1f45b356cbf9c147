// Checks `serve` makes before it opens anything, and `doctor` reports with the same words: the files
// the settings name (CA bundle, access rules) can be read and hold what they should.
import { readFileSync } from 'node:fs';
import { rulesOf } from './auth/rules.ts';
import type { Config } from './config/config.ts';
import { NexusError } from './errors.ts';
import { redactText } from './util/redact.ts';

/** Every problem found, one line each; empty when serve may start. */
export function startupProblems(config: Config): string[] {
  const problems: string[] = [];
  try {
    rulesOf(config);
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
  return problems;
}

export function assertStartupChecks(config: Config): void {
  const problems = startupProblems(config);
  if (problems.length) throw new NexusError('INVALID_CONFIG', problems.join('; '), { details: { problems } });
}
