// Reading a request body at an edge: a size cap, a deadline for receiving it (a client trickling one
// byte every few seconds must not hold a connection for minutes), and strict UTF-8 (invalid bytes
// are refused, never replaced with U+FFFD). Shared by /mcp, /api and any other body-reading edge.
import { NexusError } from '../errors.ts';

export interface BodyLimits {
  readonly maxBytes: number;
  /** Time allowed to receive the whole body, from the moment the edge starts reading it. */
  readonly timeoutMs: number;
}

const strict = new TextDecoder('utf-8', { fatal: true });
const TIMED_OUT = Symbol('timeout');
const SWEEP_MS = 250;

/** Headers for an answer sent before the body was read: the connection cannot be reused. */
export const CLOSE = { connection: 'close' } as const;

export const bodyTooLarge = (max: number) => new NexusError('PAYLOAD_TOO_LARGE', `request body is larger than ${max} bytes`);

// Reads in progress with their deadlines: one coarse sweeper (every 250 ms, only while any read is
// pending) instead of a timer per request, which costs more than the read of a small body.
interface PendingRead {
  readonly at: number;
  readonly expire: () => void;
}
const pending = new Set<PendingRead>();
let sweeper: ReturnType<typeof setInterval> | undefined;
function sweep() {
  const now = performance.now();
  for (const p of pending) if (p.at <= now) p.expire();
  if (pending.size === 0) {
    clearInterval(sweeper);
    sweeper = undefined;
  }
}

/** The body as text; throws PAYLOAD_TOO_LARGE, REQUEST_TIMEOUT or INVALID_INPUT (not UTF-8). */
export async function readBodyText(req: Request, limits: BodyLimits): Promise<string> {
  const declared = Number(req.headers.get('content-length') ?? 0);
  if (declared > limits.maxBytes) throw bodyTooLarge(limits.maxBytes);
  let entry: PendingRead | undefined;
  const deadline = new Promise<typeof TIMED_OUT>((resolve) => {
    entry = {
      at: performance.now() + limits.timeoutMs,
      expire: () => {
        pending.delete(entry!);
        resolve(TIMED_OUT);
      },
    };
  });
  pending.add(entry!);
  if (!sweeper) {
    sweeper = setInterval(sweep, SWEEP_MS);
    sweeper.unref?.();
  }
  let bytes: ArrayBuffer | typeof TIMED_OUT;
  try {
    bytes = await Promise.race([req.arrayBuffer(), deadline]);
  } catch {
    throw new NexusError('INVALID_INPUT', 'could not read the request body');
  } finally {
    pending.delete(entry!);
  }
  if (bytes === TIMED_OUT)
    throw new NexusError('REQUEST_TIMEOUT', `request body not received within ${Math.round(limits.timeoutMs / 1000)}s`);
  if (bytes.byteLength > limits.maxBytes) throw bodyTooLarge(limits.maxBytes);
  try {
    return strict.decode(bytes);
  } catch {
    throw new NexusError('INVALID_INPUT', 'request body is not valid UTF-8', { details: { issues: ['body: not valid UTF-8'] } });
  }
}
