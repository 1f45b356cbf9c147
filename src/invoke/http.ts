// Sends one backend request: bounded in time and size, same-origin redirects only, the operator's TLS
// and proxy settings. Knows nothing of MCP; returns bytes or throws NexusError.
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { NexusError } from '../errors.ts';
import type { BackendSpec } from '../registry/spec.ts';
import { formatDuration } from '../util/duration.ts';
import { proxyFor } from './proxy.ts';
import type { OutgoingRequest } from './types.ts';

export interface BackendResponse {
  readonly status: number;
  readonly statusText: string;
  readonly headers: Headers;
  readonly body: Uint8Array;
  readonly url: URL;
}

export interface HttpOptions {
  /** PEM bundle trusted for every backend in addition to the system roots (NEXUS_CA_FILE). */
  readonly caFile?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Cancels the call (client went away, shutdown). */
  readonly signal?: AbortSignal;
}

const MAX_REDIRECTS = 5;
const fileCache = new Map<string, string>();
const readPem = (path: string) => {
  let v = fileCache.get(path);
  if (v === undefined) {
    try {
      fileCache.set(path, (v = readFileSync(path, 'utf8')));
    } catch (e) {
      throw new NexusError('INVALID_CONFIG', `cannot read TLS file ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
    }
  }
  return v;
};

function tlsOptions(b: BackendSpec, opts: HttpOptions) {
  const extra = [b.tls?.caFile, opts.caFile].filter((f): f is string => !!f).map(readPem);
  if (!extra.length && !b.tls?.certFile && !b.tls?.insecure) return undefined;
  return {
    ...(extra.length && { ca: [...rootCertificates, ...extra] }),
    ...(b.tls?.certFile && { cert: readPem(b.tls.certFile) }),
    ...(b.tls?.keyFile && { key: readPem(b.tls.keyFile) }),
    ...(b.tls?.insecure && { rejectUnauthorized: false }),
  };
}

export async function send(req: OutgoingRequest, backend: BackendSpec, opts: HttpOptions = {}): Promise<BackendResponse> {
  const timeout = AbortSignal.timeout(backend.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout;
  const tls = tlsOptions(backend, opts);
  let url = req.url;
  let method = req.method;
  let body = req.body;
  try {
    for (let hop = 0; ; hop++) {
      const proxy = proxyFor(url, backend.proxy, opts.env ?? process.env);
      const res = await fetch(url, {
        method,
        headers: req.headers,
        body,
        redirect: 'manual',
        signal,
        ...(tls && { tls }),
        ...(proxy && { proxy }),
      } as RequestInit);
      if (res.status >= 300 && res.status < 400 && res.headers.has('location')) {
        await res.body?.cancel();
        const next = new URL(res.headers.get('location')!, url);
        if (next.origin !== backend.baseUrl.origin) {
          throw new NexusError('UPSTREAM_ERROR', `backend redirected to another origin (${next.origin}); not followed`);
        }
        if (hop >= MAX_REDIRECTS) throw new NexusError('UPSTREAM_ERROR', `backend redirected more than ${MAX_REDIRECTS} times`);
        if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
          method = 'GET';
          body = undefined;
        }
        url = next;
        continue;
      }
      const bytes = await readCapped(res, backend.maxResponseBytes);
      return { status: res.status, statusText: res.statusText, headers: res.headers, body: bytes, url };
    }
  } catch (e) {
    throw mapFetchError(e, backend, url, timeout.aborted);
  }
}

/** Reads the (already decompressed) body, aborting once it passes the cap: bounds decompression too. */
async function readCapped(res: Response, max: number): Promise<Uint8Array> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > max && !res.headers.get('content-encoding')) {
    await res.body?.cancel();
    throw new NexusError('UPSTREAM_ERROR', `backend answer is larger than the ${max}-byte limit`);
  }
  if (!res.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.byteLength;
    if (total > max) {
      await res.body.cancel().catch(() => {});
      throw new NexusError('UPSTREAM_ERROR', `backend answer is larger than the ${max}-byte limit`);
    }
    chunks.push(chunk);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

function mapFetchError(e: unknown, b: BackendSpec, url: URL, timedOut: boolean): NexusError {
  if (e instanceof NexusError) return e;
  const err = e as { name?: string; code?: string; message?: string };
  if (timedOut || err.name === 'TimeoutError') {
    return new NexusError('UPSTREAM_TIMEOUT', `backend did not answer within ${formatDuration(b.timeoutMs)}`, { cause: e });
  }
  if (err.name === 'AbortError') return new NexusError('UNAVAILABLE', 'call cancelled', { cause: e });
  const where = url.host;
  const code = err.code ?? '';
  if (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/i.test(code + ' ' + (err.message ?? ''))) {
    return new NexusError(
      'UPSTREAM_UNREACHABLE',
      `TLS handshake with ${where} failed (${code || 'certificate not trusted'}); trust its CA with tls.ca_file or NEXUS_CA_FILE`,
      { cause: e },
    );
  }
  const reason = code === 'ConnectionRefused' || code === 'ECONNREFUSED' ? 'connection refused' : code || 'connection failed';
  return new NexusError('UPSTREAM_UNREACHABLE', `could not reach backend ${where} (${reason})`, { cause: e });
}
