// One HTTP+SSE (2024-11-05) session as the SDK's Transport: messages from the client arrive through
// deliver() (a POST to /messages), answers leave as `event: message` on the session's event stream.
// What the stream may hold unread and how many requests may be in flight are bounded: a client that
// stops reading is disconnected, one that floods is told to wait.
import type { JSONRPCMessage, MessageExtraInfo, Transport } from '@modelcontextprotocol/server';

const enc = new TextEncoder();

export interface SseTransportLimits {
  /** Bytes the stream may hold that the client has not read; beyond, the session ends. */
  readonly maxQueuedBytes: number;
  /** Requests delivered and not yet answered; beyond, deliver() refuses. */
  readonly maxInflight: number;
}

export class SseTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void;
  readonly response: Response;
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  private closed = false;
  /** Requests delivered and not yet answered, each with what waits for its answer (its trace span). */
  private readonly inflight = new Map<string | number, (() => void) | undefined>();
  private draining = false;

  constructor(
    readonly sessionId: string,
    endpoint: string,
    private readonly limits: SseTransportLimits,
  ) {
    const stream = new ReadableStream<Uint8Array>(
      {
        start: (c) => {
          this.controller = c;
          c.enqueue(enc.encode(`event: endpoint\ndata: ${endpoint}\n\n`));
        },
        cancel: () => this.end(),
      },
      { highWaterMark: 0, size: (chunk) => chunk?.byteLength ?? 0 },
    );
    this.response = new Response(stream, {
      headers: {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache, no-transform',
        'x-accel-buffering': 'no',
      },
    });
  }

  async start(): Promise<void> {}

  /**
   * A message the client POSTed; false when too many of its requests are already in flight. `answered`
   * runs once its answer is on the stream (or the stream ended), at once for a message that gets none.
   */
  deliver(message: JSONRPCMessage, extra: MessageExtraInfo, answered?: () => void): boolean {
    if (this.closed) return false;
    const request = 'method' in message && 'id' in message;
    if (request) {
      if (this.inflight.size >= this.limits.maxInflight) return false;
      const earlier = this.inflight.get(message.id); // a client reusing an id in flight: the first waits no more
      this.inflight.set(message.id, answered);
      earlier?.();
    }
    this.onmessage?.(message, extra);
    if (!request) answered?.();
    return true;
  }

  get busy(): boolean {
    return this.inflight.size > 0;
  }

  async send(message: JSONRPCMessage): Promise<void> {
    const id = 'method' in message ? undefined : message.id;
    const answered = id === undefined ? undefined : this.inflight.get(id);
    if (id !== undefined) this.inflight.delete(id);
    this.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
    answered?.();
    if (this.draining && !this.busy) this.end();
  }

  /** A comment line that keeps proxies from closing an idle stream. */
  keepAlive(): void {
    this.write(': keepalive\n\n');
  }

  /** Ends the stream now if nothing is in flight, else once the last answer is sent. */
  drain(): void {
    this.draining = true;
    if (!this.busy) this.end();
  }

  async close(): Promise<void> {
    this.end();
  }

  private write(text: string): void {
    if (this.closed) return;
    if ((this.controller.desiredSize ?? 0) < -this.limits.maxQueuedBytes) {
      this.onerror?.(new Error(`client did not read its event stream (over ${this.limits.maxQueuedBytes} bytes queued)`));
      this.end();
      return;
    }
    try {
      this.controller.enqueue(enc.encode(text));
    } catch {
      this.end();
    }
  }

  private end(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.controller.close();
    } catch {}
    for (const answered of this.inflight.values()) answered?.();
    this.inflight.clear();
    this.onclose?.();
  }
}
