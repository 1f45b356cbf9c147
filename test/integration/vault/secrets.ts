// Random secrets for tests: unique per run, so a leak can be searched for without false hits.
import { randomBytes } from 'node:crypto';
import { secretForms } from '../../helpers/secret-forms.ts';

export const canary = (label = 'canary'): string => `${label}-${randomBytes(12).toString('hex')}`;
export const randomMasterKey = (): Uint8Array => new Uint8Array(randomBytes(32));

/** The forms a leaked secret could take (test/helpers/secret-forms.ts). */
export const encodings = (s: string): string[] => secretForms(s).map(([, v]) => v);

export function codeOf(e: unknown): string | undefined {
  return (e as { code?: string } | undefined)?.code;
}

export async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}
