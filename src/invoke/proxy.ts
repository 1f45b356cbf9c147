// Which proxy a backend request goes through: the backend's `proxy:`, else HTTPS_PROXY / HTTP_PROXY
// unless NO_PROXY matches the host.
type Env = Readonly<Record<string, string | undefined>>;

const get = (env: Env, name: string) => env[name] ?? env[name.toLowerCase()];

export function noProxyMatches(host: string, noProxy: string | undefined): boolean {
  if (!noProxy) return false;
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return noProxy
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean)
    .some((rule) => {
      if (rule === '*') return true;
      const bare = rule.replace(/:\d+$/, '').replace(/^\*?\./, '');
      return h === bare || h.endsWith('.' + bare);
    });
}

export function proxyFor(url: URL, backendProxy: string | undefined, env: Env): string | undefined {
  if (backendProxy) return backendProxy;
  if (noProxyMatches(url.hostname, get(env, 'NO_PROXY'))) return undefined;
  return url.protocol === 'https:' ? (get(env, 'HTTPS_PROXY') ?? get(env, 'HTTP_PROXY')) : get(env, 'HTTP_PROXY');
}
