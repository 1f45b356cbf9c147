// Sends one backend request: bounded in time and size, same-origin redirects only, the operator's TLS
// and proxy settings. Knows nothing of MCP; returns bytes or throws NexusError.
import { readFileSync, statSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { NexusError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { BackendSpec } from '../registry/spec.ts';
import { formatDuration } from '../util/duration.ts';
import { type ProxySettings, proxyFor, proxyOption } from './proxy.ts';
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
  /** HTTP(S)_PROXY / NO_PROXY from Config; none: every backend is called directly. */
  readonly proxies?: ProxySettings;
  /** Cancels the call (client went away, shutdown). */
  readonly signal?: AbortSignal;
  /** This attempt's share of the call's timeout (retries split one budget); default the backend's. */
  readonly timeoutMs?: number;
  /** Where `tls.insecure` is announced (once per backend): verification is never off silently. */
  readonly log?: Logger;
}

const MAX_REDIRECTS = 5;
const NO_PROXIES: ProxySettings = {};
// keyed by path, re-read when the file changes: rotated certificates apply without a restart
const fileCache = new Map<string, { stamp: string; text: string }>();
const readPem = (path: string) => {
  try {
    const st = statSync(path);
    const stamp = `${st.mtimeMs}:${st.size}`;
    let v = fileCache.get(path);
    if (v?.stamp !== stamp) fileCache.set(path, (v = { stamp, text: readFileSync(path, 'utf8') }));
    return v.text;
  } catch (e) {
    throw new NexusError('INVALID_CONFIG', `cannot read TLS file ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
};

// undefined: system roots and full verification
export function tlsOptions(b: BackendSpec, opts: HttpOptions) {
  const extra = [b.tls?.caFile, opts.caFile].filter((f): f is string => !!f).map(readPem);
  if (!extra.length && !b.tls?.certFile && !b.tls?.insecure) return undefined;
  return {
    ...(extra.length && { ca: [...rootCertificates, ...extra] }),
    ...(b.tls?.certFile && { cert: readPem(b.tls.certFile), key: readPem(b.tls.keyFile ?? b.tls.certFile) }),
    ...(b.tls?.insecure && { rejectUnauthorized: false }),
  };
}

const insecureWarned = new WeakMap<Logger, Set<string>>();
export function warnInsecure(b: BackendSpec, log: Logger | undefined) {
  if (!log || !b.tls?.insecure) return;
  let seen = insecureWarned.get(log);
  if (!seen) insecureWarned.set(log, (seen = new Set()));
  if (seen.has(b.id)) return;
  seen.add(b.id);
  log.warn('TLS certificate verification is OFF for this backend (tls.insecure: true); trust its CA with tls.ca_file instead', {
    backend: b.baseUrl.origin,
  });
}

export async function send(req: OutgoingRequest, backend: BackendSpec, opts: HttpOptions = {}): Promise<BackendResponse> {
  // One controller for the backend timeout and the caller going away (AbortSignal.any was ~4% of an
  // uncached call); the timeout covers reading the answer too.
  const ac = new AbortController();
  const signal = ac.signal;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    ac.abort(new DOMException(`backend did not answer within ${backend.timeoutMs} ms`, 'TimeoutError'));
  }, opts.timeoutMs ?? backend.timeoutMs);
  const caller = opts.signal;
  const callerGone = () => ac.abort(caller!.reason);
  if (caller?.aborted) callerGone();
  else caller?.addEventListener('abort', callerGone, { once: true });
  const tls = tlsOptions(backend, opts);
  warnInsecure(backend, opts.log);
  let url = req.url;
  let proxy: string | undefined;
  let method = req.method;
  let body = req.body;
  try {
    for (let hop = 0; ; hop++) {
      proxy = proxyFor(url, backend.proxy, opts.proxies ?? NO_PROXIES);
      const res = await fetch(url, {
        method,
        headers: req.headers,
        body,
        redirect: 'manual',
        signal,
        ...(tls && { tls }),
        proxy: proxyOption(proxy),
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
    throw mapFetchError(e, backend, url, timedOut, proxy);
  } finally {
    clearTimeout(timer);
    caller?.removeEventListener('abort', callerGone);
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
  // A declared length within the cap, not compressed: the body cannot grow past it, read it at once
  if (declared <= max && !res.headers.get('content-encoding')) return res.bytes();
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

// What Bun's fetch reports (err.code), grouped by what the operator has to do about it.
const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_REJECTED',
  'INVALID_CA',
]);
const EXPIRED = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);
const WRONG_NAME = new Set(['ERR_TLS_CERT_ALTNAME_INVALID', 'HOSTNAME_MISMATCH']);
const UNRESOLVED = new Set(['ENOTFOUND', 'EAI_AGAIN', 'DNSException']);
const REFUSED = new Set(['ECONNREFUSED', 'ConnectionRefused']);

/** Why a backend could not be reached (details.reason of UPSTREAM_UNREACHABLE); `nexus doctor` maps each to a fix. */
export const UNREACHABLE_REASONS = [
  'dns',
  'refused',
  'tls_untrusted',
  'tls_expired',
  'tls_hostname',
  'tls_handshake',
  'tls',
  'proxy_unreachable',
  'proxy_refused',
  'network',
] as const;
export type UnreachableReason = (typeof UNREACHABLE_REASONS)[number];

/** The reason of an UPSTREAM_UNREACHABLE error, if it is one. */
export function unreachableReason(e: NexusError): UnreachableReason | undefined {
  const r = e.code === 'UPSTREAM_UNREACHABLE' ? e.details?.reason : undefined;
  return (UNREACHABLE_REASONS as readonly unknown[]).includes(r) ? (r as UnreachableReason) : undefined;
}

/** Why a backend could not be reached, and what to change: details.reason is stable for tests and tooling. */
function mapFetchError(e: unknown, b: BackendSpec, url: URL, timedOut: boolean, proxy?: string): NexusError {
  if (e instanceof NexusError) return e;
  const err = e as { name?: string; code?: string; message?: string };
  if (timedOut || err.name === 'TimeoutError') {
    return new NexusError('UPSTREAM_TIMEOUT', `backend did not answer within ${formatDuration(b.timeoutMs)}`, { cause: e });
  }
  if (err.name === 'AbortError') return new NexusError('UNAVAILABLE', 'call cancelled', { cause: e });
  const host = url.host;
  const code = err.code ?? '';
  const via = proxy ? ` via proxy ${proxyHost(proxy)}` : '';
  const https = url.protocol === 'https:';
  const fail = (reason: UnreachableReason, message: string) =>
    new NexusError('UPSTREAM_UNREACHABLE', message, { cause: e, details: { backend: host, reason, ...(code && { error: code }) } });
  if (UNTRUSTED.has(code)) {
    return fail(
      'tls_untrusted',
      `the TLS certificate of ${host} is not trusted (${code}): add the CA that issued it to the backend's tls.ca_file or to NEXUS_CA_FILE`,
    );
  }
  if (EXPIRED.has(code))
    return fail('tls_expired', `the TLS certificate of ${host} is expired or not yet valid (${code}): renew it on the backend`);
  if (WRONG_NAME.has(code)) {
    return fail(
      'tls_hostname',
      `the TLS certificate of ${host} is not issued for that name (${code}): use a host name from the certificate in base_url`,
    );
  }
  if (code === 'ERR_PROXY_TUNNEL') {
    const answer = (err.message ?? '').replace(/^.*tunnel:\s*/i, '').slice(0, 80);
    return fail(
      'proxy_refused',
      `proxy ${proxyHost(proxy)} refused to open a tunnel to ${host} (${answer}): check the proxy's credentials and that it allows this host`,
    );
  }
  if (https && (code === 'EPROTO' || /handshake/i.test(err.message ?? ''))) {
    const hint = b.tls?.certFile
      ? 'the backend may have refused the client certificate (tls.cert_file / tls.key_file)'
      : 'the backend may require a client certificate (tls.cert_file and tls.key_file)';
    return fail(
      'tls_handshake',
      `TLS handshake with ${host}${via} failed (${code || 'handshake'}): ${hint}, or it does not speak TLS on this port`,
    );
  }
  if (https && code === 'ECONNRESET' && b.tls?.certFile) {
    return fail(
      'tls_handshake',
      `${host} closed the connection (ECONNRESET): if it checks client certificates, check that it accepts the one in tls.cert_file`,
    );
  }
  if (/CERT|SSL|TLS/.test(code)) return fail('tls', `TLS with ${host}${via} failed (${code})`);
  if (UNRESOLVED.has(code))
    return fail('dns', `the backend host name ${url.hostname} does not resolve${via} (${code}): check base_url and DNS`);
  if (REFUSED.has(code)) {
    return proxy
      ? fail(
          'proxy_unreachable',
          `could not reach proxy ${proxyHost(proxy)} for backend ${host} (connection refused): check proxy: / HTTPS_PROXY / HTTP_PROXY`,
        )
      : fail('refused', `could not reach backend ${host} (connection refused): is it running, and is base_url right?`);
  }
  return fail('network', `could not reach backend ${host}${via} (${code || 'connection failed'})`);
}

/** host:port of a proxy URL, never its credentials. */
function proxyHost(proxy: string | undefined): string {
  if (!proxy) return '';
  return URL.canParse(proxy) ? new URL(proxy).host : 'URL';
}
