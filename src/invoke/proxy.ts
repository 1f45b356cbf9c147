// Which proxy a backend request goes through: the backend's `proxy:`, else HTTPS_PROXY / HTTP_PROXY
// unless NO_PROXY matches the host. Decided here from the settings (Config), never by Bun's own
// reading of the process environment (see proxyOption).
import { memoize } from '../util/memo.ts';
import { registerSecret } from '../util/redact.ts';

/** The proxy settings (a Config satisfies this). */
export interface ProxySettings {
  readonly httpProxy?: string;
  readonly httpsProxy?: string;
  readonly noProxy?: string;
}

// NO_PROXY is read on every backend call; its rules are parsed once per distinct value
const rulesOf = memoize(
  (noProxy: string): readonly string[] =>
    noProxy
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean)
      .map((rule) => (rule === '*' ? rule : rule.replace(/:\d+$/, '').replace(/^\*?\./, ''))),
  16,
);

export function noProxyMatches(host: string, noProxy: string | undefined): boolean {
  if (!noProxy) return false;
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return rulesOf(noProxy).some((bare) => bare === '*' || h === bare || h.endsWith(`.${bare}`));
}

export function proxyFor(url: URL, backendProxy: string | undefined, p: ProxySettings): string | undefined {
  if (backendProxy) return backendProxy;
  if (noProxyMatches(url.hostname, p.noProxy)) return undefined;
  return url.protocol === 'https:' ? (p.httpsProxy ?? p.httpProxy) : p.httpProxy;
}

const registered = new Set<string>();

/**
 * The fetch `proxy` option for a decision of proxyFor. `false` stops Bun from applying HTTP(S)_PROXY
 * from the process environment on its own; respectNoProxy: false stops the process's NO_PROXY from
 * silently overriding a per-backend `proxy:`.
 */
export function proxyOption(proxy: string | undefined): { url: string; respectNoProxy: false } | false {
  if (!proxy) return false;
  if (!registered.has(proxy)) {
    registered.add(proxy);
    const password = URL.canParse(proxy) ? decodeURIComponent(new URL(proxy).password) : '';
    if (password) registerSecret(password);
  }
  return { url: proxy, respectNoProxy: false };
}
