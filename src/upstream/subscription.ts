// One upstream resource subscription, counted: opened for its first subscriber, ended upstream when
// the last one releases it. A 2025-11-25 server gets resources/subscribe and resources/unsubscribe
// (its notifications/resources/updated come on the session's GET stream); a 2026-07-28 server gets a
// subscriptions/listen stream for the one URI, closed at the end.
import type { Client } from '@modelcontextprotocol/client';

/** Opens the subscription on `client`; resolves to what ends it. */
export async function openSubscription(client: Client, uri: string, timeout: number): Promise<() => Promise<void>> {
  if (client.getProtocolEra() === 'modern') {
    const sub = await client.listen({ resourceSubscriptions: [uri] }, { timeout });
    if (!sub.honoredFilter.resourceSubscriptions?.includes(uri)) {
      await sub.close();
      throw new Error(`the server did not accept a subscription to ${uri}`);
    }
    return () => sub.close();
  }
  await client.subscribeResource({ uri }, { timeout });
  return async () => {
    await client.unsubscribeResource({ uri }, { timeout });
  };
}

export class UpstreamSubscription {
  private count = 0;

  constructor(readonly opened: Promise<() => Promise<void>>) {}

  /** One more subscriber, once the upstream accepted; the release it returns is idempotent. */
  async take(onLast: () => void): Promise<() => void> {
    this.count++;
    try {
      await this.opened;
    } catch (e) {
      this.count--;
      throw e;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.count > 0) return;
      onLast();
      void this.opened.then((end) => end()).catch(() => {}); // the session may be gone already: so is the subscription
    };
  }
}
