// An upstream answer larger than NEXUS_MAX_RESPONSE_BYTES is refused as an isError result, whether it
// came as one JSON body with its length declared (2026-07-28) or as an event stream (2025-11-25).
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { type FixtureUpstream, startStatefulUpstream, startStatelessUpstream } from '../../fixtures/upstream/fixture.ts';
import { startGateway, type TestGateway, toolsDir } from '../../helpers/gateway.ts';
import { connect, REVISIONS } from '../../helpers/mcp-client.ts';

const CAP = 20_000;
const big = {
  name: 'big',
  description: 'Answers `bytes` characters.',
  inputSchema: { type: 'object' as const, properties: { bytes: { type: 'number' } } },
};

for (const [label, start, protocol] of [
  ['a stateful 2025-11-25', startStatefulUpstream, '2025-11-25'],
  ['a stateless 2026-07-28', startStatelessUpstream, '2026-07-28'],
] as const) {
  describe(`${label} upstream`, () => {
    let upstream: FixtureUpstream;
    let gw: TestGateway;
    beforeAll(async () => {
      upstream = start();
      upstream.state.extra.push(big);
      gw = await startGateway({
        env: { NEXUS_MAX_RESPONSE_BYTES: String(CAP) },
        toolsDir: toolsDir({ 'servers.yaml': `servers:\n  - name: fx\n    url: ${upstream.url.href}\n    protocol: "${protocol}"\n` }),
      });
      await gw.app.upstreams.settled();
    });
    afterAll(async () => {
      await gw?.stop();
      await upstream?.stop();
    });

    test('an answer within the cap passes; one over it is an isError result naming the limit', async () => {
      const client = await connect(gw.mcpUrl, REVISIONS[1]!);
      const small = await client.callTool({ name: 'fx__big', arguments: { bytes: 1000 } });
      const large = await client.callTool({ name: 'fx__big', arguments: { bytes: CAP * 2 } });
      await client.close();
      expect(small.content).toEqual([{ type: 'text', text: 'x'.repeat(1000) }]);
      expect([large.isError, large.content]).toEqual([
        true,
        [{ type: 'text', text: `server answer is larger than the ${CAP}-byte limit` }],
      ]);
    });
  });
}
