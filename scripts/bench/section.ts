// Sections of docs/benchmarks.md that their own scripts write (idle RSS, tracing), between markers,
// so that each script replaces only its own and a full `npm run bench` keeps the others.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeMarkedSection } from './idle-rss.ts';
import { ROOT } from './proc.ts';

export const REPORT = join(ROOT, 'docs/benchmarks.md');
export const markers = (name: string) => [`<!-- ${name} -->`, `<!-- /${name} -->`] as const;

/** The section `name` of the report as it is now (markers included), or ''. */
export function currentSection(name: string, file = REPORT): string {
  const [open, close] = markers(name);
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return '';
  }
  const start = text.indexOf(open);
  const end = text.indexOf(close);
  return start >= 0 && end > start ? text.slice(start, end + close.length) : '';
}

/** Replaces (or appends) section `name`; `section` starts and ends with its markers. */
export const writeSection = (name: string, section: string, file = REPORT): void => writeMarkedSection(...markers(name), section, file);
