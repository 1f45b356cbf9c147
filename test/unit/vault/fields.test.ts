// Secret fields per credential type: checked, listed when wrong, and the type inferred when unique.
import { describe, expect, test } from 'bun:test';
import type { NexusError } from '../../../src/errors.ts';
import { CREDENTIAL_FIELDS, CREDENTIAL_TYPES, checkSecret, inferType } from '../../../src/vault/fields.ts';

const thrown = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e as NexusError;
  }
  throw new Error('expected a throw');
};

describe('credential fields', () => {
  test('each type accepts exactly its fields and is inferred from them', () => {
    for (const type of CREDENTIAL_TYPES) {
      const secret = Object.fromEntries(CREDENTIAL_FIELDS[type].map((f) => [f, `v-${f}`]));
      expect(checkSecret(type, secret)).toEqual(secret);
      expect(inferType(secret)).toBe(type);
    }
  });

  test('missing, unknown and non-string fields are all listed at once as INVALID_INPUT', () => {
    const e = thrown(() => checkSecret('basic', { username: 'u', pasword: 'p', extra: 1, password: 5 }));
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.details).toEqual({
      issues: ['unknown field pasword', 'unknown field extra', 'field password must be a non-empty string'],
    });
    expect(thrown(() => checkSecret('bearer', {})).details).toEqual({ issues: ['missing field token'] });
  });

  test('a secret that is not an object is INVALID_INPUT', () => {
    expect(thrown(() => checkSecret('api_key', ['key'])).code).toBe('INVALID_INPUT');
    expect(thrown(() => checkSecret('api_key', 'key')).code).toBe('INVALID_INPUT');
  });

  test('fields that match no type ask for a type', () => {
    expect(thrown(() => inferType({ client_id: 'a' })).code).toBe('INVALID_INPUT');
  });
});
