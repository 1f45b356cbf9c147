// Tool-name patterns (`jira_*`, `crm_get_*`, `*`): compiled once per pattern list.
const compiled = new Map<string, (name: string) => boolean>();

export function matcher(patterns: readonly string[]): (name: string) => boolean {
  const key = patterns.join('\n');
  let m = compiled.get(key);
  if (!m) {
    if (patterns.includes('*')) m = () => true;
    else {
      const re = new RegExp(
        `^(?:${patterns
          .map((p) =>
            p
              .split('*')
              .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
              .join('.*'),
          )
          .join('|')})$`,
      );
      m = (name) => re.test(name);
    }
    if (compiled.size > 10_000) compiled.clear();
    compiled.set(key, m);
  }
  return m;
}
