// The fetch a remote upstream's transport uses: the server's static headers and the injected
// credential on every request (a fresh OAuth token after one 401), the operator's TLS and proxy,
// redirects followed only within the server's origin, and each answer capped in size.
import { NexusError } from '../errors.ts';
import { type HttpOptions, tlsOptions, warnInsecure } from '../invoke/http.ts';
import { proxyFor, proxyOption } from '../invoke/proxy.ts';
import type { Injected } from '../invoke/types.ts';
import type { BackendSpec } from '../registry/spec.ts';

export type FetchLike = (url: string | URL, init?: RequestInit) => Promise<Response>;

export interface UpstreamFetchOptions {
  readonly backend: BackendSpec;
  readonly http: HttpOptions;
  /** The credential for this session; `attempt` 2 after a 401 (OAuth: a refreshed token). Plain when nothing is injected. */
  readonly credential: (attempt: 1 | 2) => Injected | Promise<Injected>;
  /** Whether a 401 is worth one retry with attempt 2. */
  readonly refreshable: boolean;
  /** Values seen in injected credentials, for masking what comes back. */
  readonly onInjected?: (injected: Injected) => void;
}

const MAX_REDIRECTS = 5;

export function upstreamFetch(o: UpstreamFetchOptions): FetchLike {
  const origin = o.backend.baseUrl.origin;
  const tls = tlsOptions(o.backend, o.http); // once per session, not per request
  warnInsecure(o.backend, o.http.log);
  // Redirects stay within the origin, so the proxy decision (by host and scheme) holds for every request
  const proxy = proxyOption(proxyFor(o.backend.baseUrl, o.backend.proxy, o.http.proxies ?? {}));
  const fixed = Object.entries(o.backend.headers).map(([k, v]) => [k.toLowerCase(), v] as const);
  return async (input, init = {}) => {
    for (let attempt = 1 as 1 | 2; ; attempt = 2) {
      const got = o.credential(attempt);
      const injected = got instanceof Promise ? await got : got;
      if (injected.secrets.length) o.onInjected?.(injected);
      // a copy only when the credential adds query parameters to it
      const url = input instanceof URL && !hasKeys(injected.query) ? input : new URL(String(input));
      const res = await send(url, init, injected);
      if (res.status === 401 && attempt === 1 && o.refreshable) {
        await res.body?.cancel();
        continue;
      }
      return res;
    }
  };

  async function send(first: URL, init: RequestInit, injected: Injected): Promise<Response> {
    const headers = merged(init.headers, injected.headers);
    let url = first;
    let method = init.method ?? 'GET';
    let body = init.body;
    for (let hop = 0; ; hop++) {
      for (const k in injected.query) url.searchParams.set(k, injected.query[k]!);
      const res = await fetch(url, {
        ...init,
        method,
        headers,
        body,
        redirect: 'manual',
        ...(tls && { tls }),
        proxy,
      } as RequestInit);
      if (res.status >= 300 && res.status < 400 && res.headers.has('location')) {
        await res.body?.cancel();
        const next = new URL(res.headers.get('location')!, url);
        if (next.origin !== origin)
          throw new NexusError('UPSTREAM_ERROR', `server redirected to another origin (${next.origin}); not followed`);
        if (hop >= MAX_REDIRECTS) throw new NexusError('UPSTREAM_ERROR', `server redirected more than ${MAX_REDIRECTS} times`);
        if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
          method = 'GET';
          body = undefined;
        }
        url = next;
        continue;
      }
      // The standalone GET stream lives as long as the session; every other answer is one reply
      return method === 'GET' ? res : capped(res, o.backend.maxResponseBytes);
    }
  }

  /** The request's headers, then the server's static ones it does not set, then the credential's over all. */
  function merged(given: HeadersInit | undefined, credential: Readonly<Record<string, string>>): HeadersInit {
    // a plain record (the direct tools/call path, lower-case names): a record again, no Headers object
    if (given && !(given instanceof Headers) && !Array.isArray(given)) {
      const out: Record<string, string> = {};
      for (const [k, v] of fixed) out[k] = v;
      for (const k in given) out[k.toLowerCase()] = given[k]!;
      for (const k in credential) out[k.toLowerCase()] = credential[k]!;
      return out;
    }
    const headers = new Headers(given);
    for (const [k, v] of fixed) if (!headers.has(k)) headers.set(k, v);
    for (const k in credential) headers.set(k, credential[k]!);
    return headers;
  }
}

const hasKeys = (o: object) => {
  for (const _ in o) return true;
  return false;
};

const tooLarge = (max: number) => new NexusError('UPSTREAM_ERROR', `server answer is larger than the ${max}-byte limit`);

/** The same response, its body erroring once it passes `max` bytes. */
function capped(res: Response, max: number): Response {
  if (!res.body) return res;
  // a declared length and no compression: the body cannot grow past it, so it needs no counting
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (!res.headers.has('content-encoding')) {
    if (declared > max) {
      void res.body.cancel().catch(() => {});
      throw tooLarge(max);
    }
    if (declared <= max) return res;
  }
  let total = 0;
  const limit = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      total += chunk.byteLength;
      if (total > max) controller.error(tooLarge(max));
      else controller.enqueue(chunk);
    },
  });
  return new Response(res.body.pipeThrough(limit), { status: res.status, statusText: res.statusText, headers: res.headers });
}
