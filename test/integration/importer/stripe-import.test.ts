// Stripe's document (pinned in the corpus) is form-encoded throughout: every operation imports, and
// representative tools pass the full `nexus check` (emitting and checking all 452 takes minutes: the
// corpus suite and `nexus check` cover that).
import { expect, test } from 'bun:test';
import { importOpenApi } from '../../../src/importer/importer.ts';
import { loadSpec } from '../../../src/importer/load.ts';
import { fetchCorpus } from '../../corpus/fetch.ts';
import { expectValidToolFile } from '../../unit/importer/valid-tool-file.ts';

const FETCH_TIMEOUT = 600_000; // the first run downloads the pinned tarballs with npm

async function stripe() {
  const entry = fetchCorpus().find((c) => c.doc.id === 'stripe');
  return loadSpec(entry!.file);
}

test(
  'every Stripe operation imports, with nothing skipped',
  async () => {
    const spec = await stripe();
    const r = importOpenApi(spec);
    expect({ operations: r.operations, tools: r.file.tools.length, skipped: r.skipped }).toEqual({
      operations: 452,
      tools: 452,
      skipped: [],
    });
    const encodings = Object.groupBy(r.file.tools, (t) => `${t.request.method} ${t.request.encoding ?? 'json'}`);
    expect(Object.fromEntries(Object.entries(encodings).map(([k, v]) => [k, v?.length]))).toEqual({
      'GET json': 213,
      'POST form': 208,
      'POST multipart': 1,
      'DELETE form': 7,
      'DELETE json': 23,
    });
  },
  { timeout: FETCH_TIMEOUT },
);

test(
  'representative Stripe tools: a form POST, a deepObject query, a multipart upload and a DELETE with a body',
  async () => {
    const r = importOpenApi(await stripe(), {
      operations: ['PostCustomers,GetCharges,PostFiles,DeleteCustomersCustomerBankAccountsId'],
    });
    const requests = Object.fromEntries(r.file.tools.map((t) => [t.name, t.request]));
    expect(requests).toMatchObject({
      PostCustomers: { method: 'POST', path: '/v1/customers', encoding: 'form' },
      GetCharges: {
        method: 'GET',
        query: { created: { value: '{created}', style: 'deep' }, expand: { value: '{expand}', style: 'deep' } },
      },
      PostFiles: { method: 'POST', encoding: 'multipart', body_styles: { expand: 'deep', file_link_data: 'deep' } },
      DeleteCustomersCustomerBankAccountsId: { method: 'DELETE', encoding: 'form', body: { expand: '{expand}' } },
    });
    expectValidToolFile(r.file, 'stripe-api.yaml');
  },
  { timeout: FETCH_TIMEOUT },
);
