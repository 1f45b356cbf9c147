// Credential types and the secret fields each one needs; names and principals checked once here.
import { NexusError } from '../errors.ts';
import type { AuthSpec } from '../registry/spec.ts';

export type CredentialType = Exclude<AuthSpec['type'], 'none'>;

export const CREDENTIAL_FIELDS: Readonly<Record<CredentialType, readonly string[]>> = {
  basic: ['username', 'password'],
  bearer: ['token'],
  api_key: ['key'],
  oauth2_client_credentials: ['client_id', 'client_secret'],
  oauth2_refresh_token: ['client_id', 'client_secret', 'refresh_token'],
};

export const CREDENTIAL_TYPES = Object.keys(CREDENTIAL_FIELDS) as CredentialType[];

export const isCredentialType = (t: unknown): t is CredentialType => typeof t === 'string' && (CREDENTIAL_TYPES as string[]).includes(t);

export type Secret = Record<string, string>;

const NAME = /^[A-Za-z0-9_.:-]{1,128}$/;

export function checkName(name: string): void {
  if (!NAME.test(name)) {
    throw new NexusError('INVALID_INPUT', `credential name "${name.slice(0, 128)}" is not valid: use 1-128 of A-Z a-z 0-9 _ . : -`);
  }
}

export function checkPrincipal(principal: string): void {
  if (principal.length === 0 || principal.length > 256 || /[\u0000-\u001f]/.test(principal)) {
    throw new NexusError('INVALID_INPUT', 'principal must be 1-256 printable characters');
  }
}

/** Returns the secret as string fields, or INVALID_INPUT listing every missing/unknown/non-string field. */
export function checkSecret(type: CredentialType, secret: unknown): Secret {
  if (!secret || typeof secret !== 'object' || Array.isArray(secret)) {
    throw new NexusError('INVALID_INPUT', `a ${type} secret must be a JSON object with ${CREDENTIAL_FIELDS[type].join(', ')}`);
  }
  const given = Object.entries(secret as Record<string, unknown>);
  const wanted = CREDENTIAL_FIELDS[type];
  const issues = [
    ...wanted.filter((f) => !(f in secret)).map((f) => `missing field ${f}`),
    ...given.filter(([k]) => !wanted.includes(k)).map(([k]) => `unknown field ${k}`),
    ...given
      .filter(([k, v]) => wanted.includes(k) && (typeof v !== 'string' || v === ''))
      .map(([k]) => `field ${k} must be a non-empty string`),
  ];
  if (issues.length) {
    throw new NexusError('INVALID_INPUT', `invalid ${type} secret: ${issues.join('; ')}`, { details: { issues } });
  }
  return Object.fromEntries(given) as Secret;
}

/** The one type whose fields are exactly the object's keys, else INVALID_INPUT asking for a type. */
export function inferType(secret: unknown): CredentialType {
  const keys = secret && typeof secret === 'object' ? Object.keys(secret).sort().join(',') : '';
  const match = CREDENTIAL_TYPES.filter((t) => [...CREDENTIAL_FIELDS[t]].sort().join(',') === keys);
  if (match.length !== 1) {
    throw new NexusError(
      'INVALID_INPUT',
      `cannot tell the credential type from fields [${keys}]; give a type (${CREDENTIAL_TYPES.join(', ')})`,
    );
  }
  return match[0]!;
}

/** CREDENTIAL_ERROR unless the credential exists and has the type the tool's auth block expects. */
export function expectType(name: string, found: { type: CredentialType } | undefined, wanted: CredentialType): void {
  if (!found) throw new NexusError('CREDENTIAL_ERROR', `credential "${name}" is not in the vault`);
  if (found.type !== wanted) {
    throw new NexusError('CREDENTIAL_ERROR', `credential "${name}" is a ${found.type} credential, the tool expects ${wanted}`);
  }
}

/** The given type when valid, else the one inferred from the fields; INVALID_INPUT otherwise. */
export function typeFor(given: string | undefined, secret: unknown): CredentialType {
  if (given === undefined) return inferType(secret);
  if (!isCredentialType(given)) throw new NexusError('INVALID_INPUT', `type must be one of ${CREDENTIAL_TYPES.join(', ')}`);
  return given;
}
