// The real-document corpus (test/corpus): per document, import wall ms and peak RSS (a child process),
// tools, skipped operations and tools/list bytes. Prints a table; --write also replaces the `corpus`
// section of docs/benchmarks.md. One document at a time, so each import has the machine to itself.
//   bun scripts/bench/corpus.ts [--write] [ID ...]
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { fetchCorpus } from '../../test/corpus/fetch.ts';
import { type DocumentRun, IMPORT_MAX_RSS, IMPORT_TIMEOUT_MS, runDocument } from '../../test/corpus/run.ts';
import { markers, writeSection } from './section.ts';

const { values, positionals } = parseArgs({ options: { write: { type: 'boolean', default: false } }, allowPositionals: true });
const rows: { id: string; run: DocumentRun }[] = [];
const load = loadavg()[0]!;
for (const { doc, file } of fetchCorpus()) {
  if (positionals.length && !positionals.includes(doc.id)) continue;
  const run = await runDocument(file, doc.args);
  rows.push({ id: doc.id, run });
  console.log(`${doc.id}\t${JSON.stringify(run)}`);
}

const mib = (b?: number) => (b === undefined ? '-' : (b / 2 ** 20).toFixed(0));
const kb = (b?: number) => (b === undefined ? '-' : (b / 1000).toFixed(1));
const table = [
  '| document | import ms | peak RSS MiB | tools | skipped | list KB | result |',
  '|---|---:|---:|---:|---:|---:|---|',
  ...rows.map(
    ({ id, run: r }) =>
      `| ${id} | ${r.importMs ?? '-'} | ${mib(r.peakRssBytes)} | ${r.tools ?? '-'} | ${r.skipped ?? '-'} | ${kb(r.listBytes)} | ${
        r.failures.length ? `fails: ${r.failures[0]!.replace(/\|/g, '/').slice(0, 120)}` : 'ok'
      } |`,
  ),
];
const passed = rows.filter((r) => !r.run.failures.length).length;
const slowest = rows.reduce((a, b) => ((b.run.importMs ?? 0) > (a.run.importMs ?? 0) ? b : a), rows[0]!);
const largest = rows.reduce((a, b) => ((b.run.peakRssBytes ?? 0) > (a.run.peakRssBytes ?? 0) ? b : a), rows[0]!);
const summary = `${passed} of ${rows.length} documents pass (limits ${IMPORT_TIMEOUT_MS / 1000} s and ${mib(IMPORT_MAX_RSS)} MiB per import); slowest import ${slowest.id} ${slowest.run.importMs} ms, largest peak ${largest.id} ${mib(largest.run.peakRssBytes)} MiB.`;
console.log(`\n${table.join('\n')}\n\n${summary}`);

if (values.write) {
  const [open, close] = markers('corpus');
  writeSection(
    'corpus',
    [
      open,
      '## Real-document corpus',
      '',
      `\`bun scripts/bench/corpus.ts --write\` on ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores, load average ${load.toFixed(1)} at the start (a shared machine: other jobs ran, so the milliseconds are upper bounds). Each document is imported by \`nexus tools import-openapi\` in a child process (wall time including Bun start-up; peak RSS is the child's VmHWM), checked with \`nexus check\`, served and listed through SDK v2, SDK v1 1.32.2 and 1.10.2; list KB is the SDK v2 client's tools/list result. The same steps are \`test/corpus/corpus.test.ts\`.`,
      '',
      summary,
      '',
      ...table,
      close,
    ].join('\n'),
  );
  console.log('wrote the corpus section of docs/benchmarks.md');
}
