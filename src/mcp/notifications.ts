// The 2025-11-25 GET stream: an SSE stream that carries notifications/tools/list_changed whenever this
// instance swaps in a new tool set, and prompts/resources list_changed when a federated server's
// prompts or resources change, and notifications/resources/updated of the resources its session
// subscribed to (2026-07-28 clients use subscriptions/listen, served by the SDK).
import type { Registry } from '../registry/registry.ts';

const KEEPALIVE_MS = 15_000;
const event = (method: string) => `event: message\ndata: ${JSON.stringify({ jsonrpc: '2.0', method })}\n\n`;
const TOOLS_CHANGED = event('notifications/tools/list_changed');
const EXTRAS_CHANGED = {
  prompts: event('notifications/prompts/list_changed'),
  resources: event('notifications/resources/list_changed'),
} as const;

/** Where prompt and resource changes are heard (the federated servers'). */
export type ExtrasChanges = (listener: (what: 'prompts' | 'resources') => void) => () => void;
/** Attaches the stream to its session's resource subscriptions (subscriptions.ts); returns the detach. */
export type AttachUpdates = (send: (uri: string) => void) => () => void;

export const resourceUpdated = (uri: string) => ({ jsonrpc: '2.0', method: 'notifications/resources/updated', params: { uri } });

export function listChangedStream(
  registry: Registry,
  signal: AbortSignal,
  extrasChanged?: ExtrasChanges,
  attach?: AttachUpdates,
): Response {
  const enc = new TextEncoder();
  let cleanup = () => {};
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (s: string) => {
        try {
          controller.enqueue(enc.encode(s));
        } catch {
          cleanup();
        }
      };
      send(': nexus list_changed stream\n\n');
      const unsubscribe = registry.onChange(() => send(TOOLS_CHANGED));
      const unsubscribeExtras = extrasChanged?.((what) => send(EXTRAS_CHANGED[what]));
      const detach = attach?.((uri) => send(`event: message\ndata: ${JSON.stringify(resourceUpdated(uri))}\n\n`));
      const timer = setInterval(() => send(': keepalive\n\n'), KEEPALIVE_MS);
      cleanup = () => {
        unsubscribe();
        unsubscribeExtras?.();
        detach?.();
        clearInterval(timer);
      };
      signal.addEventListener('abort', () => {
        cleanup();
        try {
          controller.close();
        } catch {}
      });
    },
    cancel: () => cleanup(),
  });
  return new Response(stream, {
    headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive' },
  });
}
