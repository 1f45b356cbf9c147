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

/** Headers for an answer sent before the body was read: the connection cannot be reused. */
export const CLOSE = { connection: 'close' } as const;

export const bodyTooLarge = (max: number) => new NexusError('PAYLOAD_TOO_LARGE', `request body is larger than ${max} bytes`);

/** The body as text; throws PAYLOAD_TOO_LARGE, REQUEST_TIMEOUT or INVALID_INPUT (not UTF-8). */
export async function readBodyText(req: Request, limits: BodyLimits): Promise<string> {
  const declared = Number(req.headers.get('content-length') ?? 0);
  if (declared > limits.maxBytes) throw bodyTooLarge(limits.maxBytes);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<typeof TIMED_OUT>((r) => (timer = setTimeout(() => r(TIMED_OUT), limits.timeoutMs)));
  let bytes: ArrayBuffer | typeof TIMED_OUT;
  try {
    bytes = await Promise.race([req.arrayBuffer(), deadline]);
  } catch {
    throw new NexusError('INVALID_INPUT', 'could not read the request body');
  } finally {
    clearTimeout(timer);
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
