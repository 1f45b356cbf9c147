// --help text for settings-driven commands, built from the settings table.
import { SETTINGS, type SettingDef } from '../config/settings.ts';

export function settingsHelp(keys: readonly string[]): string {
  const defs = (SETTINGS as readonly SettingDef[]).filter((d) => keys.includes(d.key));
  const rows = defs.map((d) => [d.flag ? `--${d.flag}` : '', d.env, d.default !== undefined && d.default !== '' ? d.default : '-', d.doc]);
  const w = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => `  ${r[0]!.padEnd(w[0]!)}  ${r[1]!.padEnd(w[1]!)}  ${r[2]!.padEnd(w[2]!)}  ${r[3]}`).join('\n');
}
