// The official conformance suite through Nexus: a fixture upstream on the SDK that speaks only
// 2025-11-25 (stateful) implements what the scenarios call; every scenario that passes against it
// directly passes through Nexus, and through Nexus the 2026-07-28 scenarios pass too.
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { conformanceServer } from '../../fixtures/upstream/conformance-server.ts';
import { type FixtureUpstream, fixtureState, startStatefulUpstream } from '../../fixtures/upstream/fixture.ts';
import { failedChecks, runConformance } from '../../helpers/conformance.ts';
import { startGateway, type TestGateway, toolsDir } from '../../helpers/gateway.ts';

const SCENARIOS = [
  'tools-list',
  'tools-call-simple-text',
  'tools-call-image',
  'tools-call-audio',
  'tools-call-embedded-resource',
  'tools-call-mixed-content',
  'tools-call-error',
  'tools-call-with-progress',
  'json-schema-2020-12',
  'resources-list',
  'resources-read-text',
  'resources-read-binary',
  'resources-templates-read',
  'prompts-list',
  'prompts-get-simple',
  'prompts-get-with-args',
  'prompts-get-embedded-resource',
  'prompts-get-with-image',
  'completion-complete',
];

let upstream: FixtureUpstream;
let gw: TestGateway;
beforeAll(async () => {
  upstream = startStatefulUpstream(fixtureState(), () => conformanceServer());
  gw = await startGateway({
    toolsDir: toolsDir({
      'servers.yaml': `servers:\n  - name: conf\n    prefix: ""\n    url: ${upstream.url.href}\n    protocol: "2025-11-25"\n`,
    }),
  });
  await gw.app.upstreams.settled();
});
afterAll(async () => {
  await gw?.stop();
  await upstream?.stop();
});

/** Failed check ids per scenario, at most `width` runs at once (the machine has two cores). */
async function failures(url: URL, revision: string, width = 3): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  const queue = [...SCENARIOS];
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let s = queue.shift(); s; s = queue.shift()) {
        const run = await runConformance(url, revision, s);
        out[s] = run.checks.length ? failedChecks(run) : ['(no checks ran)'];
      }
    }),
  );
  return out;
}

const none = () => Object.fromEntries(SCENARIOS.map((s) => [s, []]));

test('every 2025-11-25 scenario passes against the fixture directly and through Nexus', async () => {
  expect(await failures(upstream.url, '2025-11-25')).toEqual(none());
  expect(await failures(gw.mcpUrl, '2025-11-25')).toEqual(none());
}, 180_000);

test('through Nexus the 2026-07-28 scenarios pass although the fixture speaks only 2025-11-25', async () => {
  expect(await failures(gw.mcpUrl, '2026-07-28')).toEqual(none());
}, 180_000);
