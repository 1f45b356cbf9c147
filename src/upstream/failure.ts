// Why an upstream call failed, as the NexusError a client reads: short, naming the server, no secret.
import { ProtocolError, SdkError, SdkErrorCode } from '@modelcontextprotocol/client';
import { isNexusError, NexusError } from '../errors.ts';
import { scrub } from '../invoke/result.ts';
import { formatDuration } from '../util/duration.ts';

const NETWORK: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ConnectionRefused: 'connection refused',
  ECONNRESET: 'connection reset',
  ConnectionClosed: 'connection closed',
  ENOTFOUND: 'host name does not resolve',
  EAI_AGAIN: 'host name does not resolve',
  FailedToOpenSocket: 'cannot open a socket',
};

/** The first network error code (ECONNREFUSED, ...) in the error or its causes. */
function networkCode(e: unknown): string {
  for (let cur = e, depth = 0; cur && depth < 5; cur = (cur as { cause?: unknown }).cause, depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK[code]) return code;
  }
  return '';
}

/** The HTTP status an SDK transport error carries, if any. */
export function httpStatusOf(e: unknown): number | undefined {
  const status = (e as { status?: unknown }).status;
  return typeof status === 'number' ? status : undefined;
}

/** The session is gone (upstream restarted, answered 404, child exited): open a new one and retry. */
export function sessionLost(e: unknown): boolean {
  if (httpStatusOf(e) === 404) return true;
  return e instanceof SdkError && (e.code === SdkErrorCode.ConnectionClosed || e.code === SdkErrorCode.NotConnected);
}

export function upstreamFailure(server: string, e: unknown, timeoutMs: number, secrets: Iterable<string> = []): NexusError {
  if (isNexusError(e)) return e;
  const clean = (s: string) => scrub(s, [...secrets]).slice(0, 300);
  if (e instanceof SdkError && e.code === SdkErrorCode.RequestTimeout) {
    return new NexusError('UPSTREAM_TIMEOUT', `server ${server} did not answer within ${formatDuration(timeoutMs)}`, { cause: e });
  }
  const err = e as { name?: string; code?: unknown; message?: string };
  if (err.name === 'AbortError') return new NexusError('UNAVAILABLE', 'call cancelled', { cause: e });
  if (e instanceof ProtocolError) {
    return new NexusError('UPSTREAM_ERROR', `server ${server} answered with error ${e.code}: ${clean(e.message)}`, {
      cause: e,
      details: { server, upstreamCode: e.code },
    });
  }
  const status = httpStatusOf(e);
  if (status !== undefined) {
    const hint = status === 401 || status === 403 ? ' (check the auth block and its credential)' : '';
    return new NexusError('UPSTREAM_ERROR', `server ${server} answered HTTP ${status}${hint}`, { cause: e, details: { server, status } });
  }
  const code = networkCode(e);
  const network = NETWORK[code] ?? (/fetch failed|Unable to connect|socket/i.test(err.message ?? '') ? 'cannot connect' : undefined);
  if (network)
    return new NexusError('UPSTREAM_UNREACHABLE', `server ${server} is unreachable (${network})`, { cause: e, details: { server } });
  return new NexusError('UPSTREAM_ERROR', `server ${server} failed: ${clean(err.message ?? 'unknown error')}`, {
    cause: e,
    details: { server },
  });
}
