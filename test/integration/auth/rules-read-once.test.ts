// Start-up reads the access-rules file once: the rules serve enforces are the ones its checks read.
import { afterEach, expect, spyOn, test } from 'bun:test';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { startGateway, tempDir, toolsDir } from '../../helpers/gateway.ts';

const reads = spyOn(fs, 'readFileSync');
afterEach(() => reads.mockClear());

test('serve reads NEXUS_ACCESS_RULES once at start-up', async () => {
  const rules = join(tempDir('nexus-rules-'), 'access.yaml');
  fs.writeFileSync(rules, "rules:\n  - when: { scope: jira }\n    tools: ['jira_*']\n");
  const dir = toolsDir({ 't.yaml': 'backend: { base_url: "http://127.0.0.1:9" }\ntools: []\n' });
  await using _gw = await startGateway({ toolsDir: dir, env: { NEXUS_ACCESS_RULES: rules } });
  expect(reads.mock.calls.filter(([path]) => path === rules).length).toBe(1);
});
