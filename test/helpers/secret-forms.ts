// Every form a leaked secret could take, by name, for canary searches: clear, JSON-escaped ("\/" and
// "\u0061..."), URL- and form-encoded, hex in both cases, base64 and base64url at each byte alignment
// (so also inside a longer encoded value such as a Basic header), and the first half of each.
const b64Core = (s: string, shift: number, url: boolean) => {
  const bytes = Buffer.concat([Buffer.alloc(shift), Buffer.from(s)]);
  return bytes.toString(url ? 'base64url' : 'base64').slice([0, 2, 3][shift], Math.floor((bytes.length * 8) / 6));
};

export function secretForms(s: string): Array<[form: string, value: string]> {
  const hex = Buffer.from(s).toString('hex');
  const forms: Array<[string, string]> = [
    ['clear', s],
    ['json-escaped', s.replaceAll('/', '\\/')],
    ['json-unicode', [...s].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')],
    ['url-encoded', encodeURIComponent(s)],
    ['form-encoded', new URLSearchParams({ x: s }).toString().slice(2)],
    ['hex', hex],
    ['HEX', hex.toUpperCase()],
    ['base64', Buffer.from(s).toString('base64')],
    ...[0, 1, 2].flatMap(
      (k): Array<[string, string]> => [
        [`base64+${k}`, b64Core(s, k, false)],
        [`base64url+${k}`, b64Core(s, k, true)],
      ],
    ),
  ];
  const withPrefixes = forms.flatMap(
    ([form, v]): Array<[string, string]> => [
      [form, v],
      [`${form} first half`, v.slice(0, Math.ceil(v.length / 2))],
    ],
  );
  return withPrefixes.filter(([, v], i, all) => v.length >= 6 && all.findIndex(([, w]) => w === v) === i);
}
