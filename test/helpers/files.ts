// Temporary directories and tool files for tests (no services needed: unit tests use these too).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function tempDir(prefix = 'nexus-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes files (name -> YAML text) into a fresh tools dir. */
export function toolsDir(files: Record<string, string>): string {
  const dir = tempDir('nexus-tools-');
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}
