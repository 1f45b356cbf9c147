// A running gateway's /metrics: the tools it serves, its build, exposition content type.
import { afterAll, expect, test } from 'bun:test';
import { join } from 'node:path';
import { COMMIT, VERSION } from '../../../src/version.ts';
import { startGateway, waitFor } from '../../helpers/gateway.ts';

const gw = await startGateway({
  toolsDir: join(import.meta.dir, '../../../tools'),
  env: { JIRA_URL: 'http://127.0.0.1:9/jira', CRM_URL: 'http://127.0.0.1:9/crm', INVENTORY_URL: 'http://127.0.0.1:9/inv' },
});
afterAll(() => gw.stop());

test('/metrics reports the tools loaded and the build, in the text exposition format', async () => {
  const res = await fetch(`${gw.url}/metrics`);
  const lines = (await res.text()).split('\n');
  expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  expect({
    tools: lines.find((l) => l.startsWith('nexus_tools_loaded ')),
    build: lines.find((l) => l.startsWith('nexus_build_info{')),
  }).toEqual({
    tools: `nexus_tools_loaded ${gw.app.registry.current().tools.length}`,
    build: `nexus_build_info{commit="${COMMIT}",version="${VERSION}"} 1`,
  });
  expect(gw.app.registry.current().tools.length).toBeGreaterThan(0);
});

test('nexus_tools_loaded follows a reload', async () => {
  const first = gw.app.registry.current().tools[0]!;
  gw.app.registry.replace([first]);
  const scrape = async () => (await (await fetch(`${gw.url}/metrics`)).text()).split('\n').find((l) => l.startsWith('nexus_tools_loaded '));
  expect(await waitFor(scrape)).toBe('nexus_tools_loaded 1');
});
