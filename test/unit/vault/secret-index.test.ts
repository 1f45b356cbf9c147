// Redaction follows the vault: what it masks is what the vault holds now, in every form a secret can
// be written in, and a closed vault stops contributing.
import { afterAll, describe, expect, test } from 'bun:test';
import { redactText, registerSecret } from '../../../src/util/redact.ts';
import { dataMasker } from '../../../src/util/redact-data.ts';
import { compileSecrets } from '../../../src/util/secret-match.ts';
import { Vault } from '../../../src/vault/vault.ts';
import { secretForms } from '../../helpers/secret-forms.ts';
import { secretValue, tempVault } from './fixture.ts';

const vaults: Array<Awaited<ReturnType<typeof tempVault>>> = [];
afterAll(() => Promise.all(vaults.map((v) => v.close())));

describe('secret matcher', () => {
  test('every form of a secret, and each form inside other text, is masked; the text around it is kept', () => {
    const secret = `Zx9/q+Lm2=${secretValue('p')}`;
    registerSecret(secret);
    const masked = Object.fromEntries(secretForms(secret).map(([form, v]) => [form, redactText(`before ${v} after`)]));
    for (const [form, text] of Object.entries(masked))
      expect([form, text]).toEqual([form, expect.stringMatching(/^before .*\[REDACTED\].* after$/)]);
    for (const [form, text] of Object.entries(masked)) expect([form, text.includes(secret.slice(0, 8))]).toEqual([form, false]);
    expect(redactText('an ordinary sentence with nothing secret')).toBe('an ordinary sentence with nothing secret');
  });

  test('a secret inside a Basic header, at any offset, is masked', () => {
    const pass = secretValue('pass');
    const m = compileSecrets([pass]);
    for (const user of ['a', 'ab', 'abc']) {
      const header = Buffer.from(`${user}:${pass}`).toString('base64');
      const masked = m.mask(`Basic ${header}`);
      expect([masked.startsWith('Basic '), masked.endsWith('[REDACTED]')]).toEqual([true, true]);
      expect(secretForms(pass).filter(([, v]) => masked.includes(v))).toEqual([]);
    }
  });

  test('decoded JSON is masked in one pass: strings, keys, numbers, and JSON-escaped text inside strings', () => {
    const secret = secretValue('tok');
    const pin = '48213977';
    const unicode = [...secret].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
    const value = JSON.parse(
      `{"a":"${unicode}","n":${pin},"list":["ok",{"${secret}":1}],"nested":"{\\"x\\":\\"${unicode.replaceAll('\\', '\\\\')}\\"}"}`,
    );
    const ix = compileSecrets([secret, pin]);
    expect(ix.test(JSON.stringify(value))).toBe(true);
    const untouched = { plain: 'x', list: [1, 2] };
    const masker = dataMasker([secret, pin]);
    expect(masker.json(untouched)).toBe(untouched); // nothing to mask: the same object, no copy
    expect(masker.json(value)).toEqual({
      a: '[REDACTED]',
      n: '[REDACTED]',
      list: ['ok', { '[REDACTED]': 1 }],
      nested: '{"x":"[REDACTED]"}',
    });
  });
});

describe('the vault owns the secret index', () => {
  test('a stored credential is masked, its previous version no longer, a deleted one no longer, nor one of a closed vault', async () => {
    const t = await tempVault();
    vaults.push(t);
    const [v1, v2, other] = [secretValue('v1'), secretValue('v2'), secretValue('other')];
    await t.vault.put('gh', 'bearer', { token: v1 });
    await t.vault.put('jira', 'bearer', { token: other });
    const seen = () => [v1, v2, other].map((s) => redactText(`x ${s} y`) === 'x [REDACTED] y');
    expect(seen()).toEqual([true, false, true]);
    await t.vault.put('gh', 'bearer', { token: v2 });
    expect(seen()).toEqual([false, true, true]);
    await t.vault.delete('jira');
    expect(seen()).toEqual([false, true, false]);
    t.vault.close();
    expect(seen()).toEqual([false, false, false]);
  });

  test('a vault opened over an existing store masks every credential in it before any is used', async () => {
    const t = await tempVault();
    vaults.push(t);
    const s = secretValue('stored');
    await t.vault.put('crm', 'api_key', { key: s });
    t.vault.close();
    expect(redactText(s)).toBe(s);
    const again = await Vault.open(t.db, t.masterKey);
    expect(redactText(s)).toBe('[REDACTED]');
    again.close();
  });

  test('credentials another instance stores or deletes reach this index at its next sync', async () => {
    const t = await tempVault();
    vaults.push(t);
    const here = await Vault.open(t.db, t.masterKey);
    const s = secretValue('elsewhere');
    await t.vault.put('crm', 'api_key', { key: s }); // "another instance": a vault of its own on the store
    t.vault.close();
    const masked = () => redactText(s) === '[REDACTED]';
    const seen = [masked()];
    await here.syncSecretIndex();
    seen.push(masked());
    const other = await Vault.open(t.db, t.masterKey);
    await other.delete('crm');
    other.close();
    seen.push(masked());
    await here.syncSecretIndex();
    seen.push(masked());
    here.close();
    expect(seen).toEqual([false, true, true, false]);
  });
});
