// The 2025-11-25 GET stream: an SSE stream that carries notifications/tools/list_changed whenever this
// instance swaps in a new tool set (2026-07-28 clients use subscriptions/listen, served by the SDK).
import type { Registry } from '../registry/registry.ts';

const KEEPALIVE_MS = 15_000;
const LIST_CHANGED = `event: message\ndata: ${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' })}\n\n`;

export function listChangedStream(registry: Registry, signal: AbortSignal): Response {
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
      send(': nexus tools/list_changed stream\n\n');
      const unsubscribe = registry.onChange(() => send(LIST_CHANGED));
      const timer = setInterval(() => send(': keepalive\n\n'), KEEPALIVE_MS);
      cleanup = () => {
        unsubscribe();
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
