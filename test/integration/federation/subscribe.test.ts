// Subscriptions to upstream resources: a 2025-11-25 client's resources/subscribe and a 2026-07-28
// client's subscriptions/listen reach the upstream (whichever revision it speaks) as one shared
// subscription, its notifications/resources/updated reach the subscribed clients, and the upstream
// subscription ends with the last subscriber; the caller's access rules apply; with two instances the
// subscription follows the session to the instance holding its stream.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, ProtocolError, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { type FixtureUpstream, startStatefulUpstream, startStatelessUpstream } from '../../fixtures/upstream/fixture.ts';
import { subscribeServer } from '../../fixtures/upstream/subscribe-server.ts';
import { startGateway, startTwoInstances, type TestGateway, type TwoInstances, toolsDir, waitFor } from '../../helpers/gateway.ts';
import { REVISIONS } from '../../helpers/mcp-client.ts';

type Revision = (typeof REVISIONS)[number];
const NOTES = 'memo://notes';

const UPSTREAMS = [
  { name: 'stateful 2025-11-25', start: startStatefulUpstream, protocol: '2025-11-25' },
  { name: 'stateless 2026-07-28', start: startStatelessUpstream, protocol: '2026-07-28' },
] as const;

const servers = (upstream: FixtureUpstream, protocol: string) =>
  toolsDir({ 'servers.yaml': `servers:\n  - name: fx\n    url: ${upstream.url.href}\n    protocol: "${protocol}"\n` });

const gauge = async (g: TestGateway, name: string) => Number(new RegExp(`^${name} (\\d+)`, 'm').exec(await g.app.metrics.render())?.[1]);

/** A client that records the resource updates it hears. */
async function listening(
  g: TestGateway,
  rev: Revision,
  opts: { headers?: Record<string, string>; fetch?: (url: string | URL, init?: RequestInit) => Promise<Response> } = {},
) {
  const heard: string[] = [];
  const client = new Client({ name: 'subscriber', version: '1' }, { versionNegotiation: { mode: rev.mode } });
  client.setNotificationHandler('notifications/resources/updated', (n) => void heard.push(n.params.uri));
  const transport = new StreamableHTTPClientTransport(g.mcpUrl, {
    ...(opts.headers && { requestInit: { headers: opts.headers } }),
    ...(opts.fetch && { fetch: opts.fetch }),
  });
  await client.connect(transport);
  return { client, transport, heard };
}

/** Subscribes in the client's revision; resolves to the unsubscribe. */
async function subscribe(client: Client, rev: Revision, uris: string[], g: TestGateway) {
  if (rev.name === '2025-11-25') {
    await waitFor(async () => (await gauge(g, 'nexus_notification_streams')) >= 1, 5000, 'the GET stream');
    for (const uri of uris) await client.subscribeResource({ uri });
    return { honored: uris, end: async () => void (await Promise.all(uris.map((uri) => client.unsubscribeResource({ uri })))) };
  }
  const sub = await client.listen({ resourceSubscriptions: uris });
  return { honored: sub.honoredFilter.resourceSubscriptions ?? [], end: () => sub.close() };
}

for (const up of UPSTREAMS) {
  describe(`a ${up.name} upstream that offers subscriptions`, () => {
    let upstream: FixtureUpstream;
    let gw: TestGateway;
    beforeAll(async () => {
      upstream = up.start(undefined, subscribeServer as never);
      gw = await startGateway({ toolsDir: servers(upstream, up.protocol) });
      await gw.app.upstreams.settled();
    });
    afterAll(async () => {
      await gw?.stop();
      await upstream?.stop();
    });

    for (const rev of REVISIONS) {
      test(`a ${rev.name} client hears the updates of what it subscribed to, and the upstream subscription ends with it`, async () => {
        const { client, heard } = await listening(gw, rev);
        try {
          expect(client.getServerCapabilities()?.resources).toEqual({ listChanged: true, subscribe: true });
          const sub = await subscribe(client, rev, [NOTES], gw);
          await waitFor(() => upstream.state.subscribed[NOTES] === 1, 5000, 'the upstream subscription');
          await upstream.resourceUpdated(NOTES);
          await waitFor(() => heard.length, 5000, 'the update');
          expect(heard).toEqual([NOTES]);
          await sub.end();
          await waitFor(() => upstream.state.subscribed[NOTES] === 0, 5000, 'the upstream unsubscription');
          expect(await gauge(gw, 'nexus_resource_subscriptions')).toBe(0);
        } finally {
          await client.close();
        }
      });
    }

    test('two clients of either revision share one upstream subscription, ended when the last goes', async () => {
      const a = await listening(gw, REVISIONS[0]!);
      const b = await listening(gw, REVISIONS[1]!);
      try {
        const subA = await subscribe(a.client, REVISIONS[0]!, [NOTES], gw);
        const subB = await subscribe(b.client, REVISIONS[1]!, [NOTES], gw);
        await waitFor(() => upstream.state.subscribed[NOTES] === 1, 5000, 'one upstream subscription');
        await upstream.resourceUpdated(NOTES);
        await waitFor(() => a.heard.length && b.heard.length, 5000, 'both heard');
        await subA.end();
        expect(await gauge(gw, 'nexus_resource_subscriptions')).toBe(1);
        await subB.end();
        await waitFor(() => upstream.state.subscribed[NOTES] === 0, 5000, 'the upstream unsubscription');
      } finally {
        await a.client.close();
        await b.client.close();
      }
    });
  });
}

describe('a reload that restarts the server', () => {
  let upstream: FixtureUpstream;
  let gw: TestGateway;
  let dir: string;
  beforeAll(async () => {
    upstream = startStatefulUpstream(undefined, subscribeServer as never);
    dir = servers(upstream, '2025-11-25');
    gw = await startGateway({ toolsDir: dir });
    await gw.app.upstreams.settled();
  });
  afterAll(async () => {
    await gw?.stop();
    await upstream?.stop();
  });

  test('ends its subscriptions, tells subscribers resources/list_changed, and a new subscribe holds one again', async () => {
    const { client, heard } = await listening(gw, REVISIONS[0]!);
    let changed = 0;
    client.setNotificationHandler('notifications/resources/list_changed', () => void changed++);
    try {
      await subscribe(client, REVISIONS[0]!, [NOTES], gw);
      await waitFor(() => upstream.state.subscribed[NOTES] === 1, 5000, 'the upstream subscription');
      writeFileSync(
        join(dir, 'servers.yaml'),
        `servers:\n  - name: fx\n    url: ${upstream.url.href}\n    protocol: "2025-11-25"\n    timeout: 20s\n`,
      );
      expect(gw.app.reload().ok).toBe(true);
      await waitFor(() => changed, 5000, 'resources/list_changed');
      expect(await gauge(gw, 'nexus_resource_subscriptions')).toBe(0);
      await gw.app.upstreams.settled();
      await client.subscribeResource({ uri: NOTES }); // on the new session
      await waitFor(() => upstream.state.subscribed[NOTES] === 2, 5000, 'the new upstream subscription');
      expect(await gauge(gw, 'nexus_resource_subscriptions')).toBe(1);
      await upstream.resourceUpdated(NOTES);
      await waitFor(() => heard.length, 5000, 'the update');
    } finally {
      await client.close();
    }
  });
});

describe('an HTTP+SSE (2024-11-05) client', () => {
  let upstream: FixtureUpstream;
  let gw: TestGateway;
  beforeAll(async () => {
    upstream = startStatefulUpstream(undefined, subscribeServer as never);
    gw = await startGateway({ toolsDir: servers(upstream, '2025-11-25') });
    await gw.app.upstreams.settled();
  });
  afterAll(async () => {
    await gw?.stop();
    await upstream?.stop();
  });

  test('subscribes on its session and hears the updates on its session stream', async () => {
    const { Client: V1Client } = await import('sdk-v1-latest/client/index.js');
    const { SSEClientTransport } = await import('sdk-v1-latest/client/sse.js');
    const { ResourceUpdatedNotificationSchema } = await import('sdk-v1-latest/types.js');
    const client = new V1Client({ name: 'sse-subscriber', version: '1' });
    const heard: string[] = [];
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void heard.push(n.params.uri));
    await client.connect(new SSEClientTransport(new URL(`${gw.url}/sse`)));
    try {
      expect(client.getServerCapabilities()?.resources?.subscribe).toBe(true);
      await client.subscribeResource({ uri: NOTES });
      await waitFor(() => upstream.state.subscribed[NOTES] === 1, 5000, 'the upstream subscription');
      await upstream.resourceUpdated(NOTES);
      await waitFor(() => heard.length, 5000, 'the update');
      expect(heard).toEqual([NOTES]);
      await client.unsubscribeResource({ uri: NOTES });
      await waitFor(() => upstream.state.subscribed[NOTES] === 0, 5000, 'the unsubscription');
    } finally {
      await client.close();
    }
  });
});

describe("the caller's access rules", () => {
  let upstream: FixtureUpstream;
  let gw: TestGateway;
  let key: string;
  beforeAll(async () => {
    upstream = startStatefulUpstream(undefined, subscribeServer as never);
    gw = await startGateway({ toolsDir: servers(upstream, '2025-11-25') });
    await gw.app.upstreams.settled();
    key = (await gw.app.services.keys.create('notes-only', { tools: ['fx__notes'] })).key;
  });
  afterAll(async () => {
    await gw?.stop();
    await upstream?.stop();
  });

  test('a 2025-11-25 client cannot subscribe to a resource it may not read: it does not exist for it', async () => {
    const { client } = await listening(gw, REVISIONS[0]!, { headers: { authorization: `Bearer ${key}` } });
    try {
      const refused = await client.subscribeResource({ uri: 'memo://private' }).catch((e: ProtocolError) => e);
      expect(refused).toBeInstanceOf(ProtocolError);
      expect((refused as ProtocolError).code).toBe(-32602);
      expect(upstream.state.subscribed['memo://private']).toBeUndefined();
    } finally {
      await client.close();
    }
  });

  test('a 2026-07-28 listen is acknowledged with the resources the caller may read only', async () => {
    const { client } = await listening(gw, REVISIONS[1]!, { headers: { authorization: `Bearer ${key}` } });
    try {
      const sub = await subscribe(client, REVISIONS[1]!, [NOTES, 'memo://private'], gw);
      expect(sub.honored).toEqual([NOTES]);
      await waitFor(() => upstream.state.subscribed[NOTES] === 1, 5000, 'the upstream subscription');
      expect(upstream.state.subscribed['memo://private']).toBeUndefined();
      await sub.end();
      await waitFor(() => upstream.state.subscribed[NOTES] === 0, 5000, 'the upstream unsubscription');
    } finally {
      await client.close();
    }
  });
});

describe('two instances sharing PostgreSQL and Redis', () => {
  let upstream: FixtureUpstream;
  let two: TwoInstances;
  let a: TestGateway;
  let b: TestGateway;
  beforeAll(async () => {
    upstream = startStatefulUpstream(undefined, subscribeServer as never);
    two = await startTwoInstances(servers(upstream, '2025-11-25'));
    ({ a, b } = two);
  });
  afterAll(async () => {
    await two?.stop();
    await upstream?.stop();
  });

  /** The client's subscribe, unsubscribe and DELETE requests go to `b`; everything else to `a`. */
  const toB = async (url: string | URL, init?: RequestInit) => {
    const u = new URL(url);
    const method = typeof init?.body === 'string' ? (JSON.parse(init.body) as { method?: string }).method : undefined;
    if (init?.method === 'DELETE' || method?.startsWith('resources/')) u.port = String(b.server.port);
    return fetch(u, init);
  };

  test('a subscription made on the other instance is held where the stream is, and ends with the session', async () => {
    const { client, transport, heard } = await listening(a, REVISIONS[0]!, { fetch: toB });
    try {
      expect(transport.sessionId).toMatch(/^nx1\.n\./);
      const sub = await subscribe(client, REVISIONS[0]!, [NOTES], a);
      await waitFor(() => upstream.state.subscribed[NOTES] === 1, 5000, 'the upstream subscription');
      expect([await gauge(a, 'nexus_resource_subscriptions'), await gauge(b, 'nexus_resource_subscriptions')]).toEqual([1, 0]);
      await upstream.resourceUpdated(NOTES);
      await waitFor(() => heard.length, 5000, 'the update');
      expect(heard).toEqual([NOTES]);
      await sub.end();
      await waitFor(() => upstream.state.subscribed[NOTES] === 0, 5000, 'the unsubscription');
      // subscribed again, then the session ends (DELETE on the other instance): so does the subscription
      await client.subscribeResource({ uri: NOTES });
      await waitFor(() => upstream.state.subscribed[NOTES] === 1, 5000, 'the second subscription');
      await transport.terminateSession();
      await waitFor(() => upstream.state.subscribed[NOTES] === 0, 5000, 'the end of the session');
    } finally {
      await client.close();
    }
  });
});
