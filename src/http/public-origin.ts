// The origin clients reach this gateway at, for the URLs it hands out (OAuth metadata): the configured
// NEXUS_PUBLIC_URL, else the request's Host (checked by the web guard when the bind address is not a
// wildcard), else the address and port actually bound, never `0.0.0.0` or port 0.

/** A Host header that is a plain host[:port], safe to put into a URL and a quoted header parameter. */
const HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

const bracket = (h: string) => (h.includes(':') && !h.startsWith('[') ? `[${h}]` : h);

/** A client can reach a wildcard bind on loopback; any other bind address as itself. */
function reachable(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::' || host === '[::]') return '[::1]';
  return bracket(host);
}

export function createOriginOf(opts: {
  readonly publicUrl?: string;
  readonly host: string;
  /** The port bound (read at request time: with port 0 it is known only after listening). */
  readonly port: () => number;
}): (headers: Headers) => string {
  const fixed = opts.publicUrl?.replace(/\/+$/, '');
  return (headers) => {
    if (fixed) return fixed;
    const host = headers.get('host');
    if (host && HOST.test(host)) return `http://${host}`;
    return `http://${reachable(opts.host)}:${opts.port()}`;
  };
}
