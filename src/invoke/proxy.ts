// Which proxy a backend request goes through: the backend's `proxy:`, else HTTPS_PROXY / HTTP_PROXY
// unless NO_PROXY matches the host. Decided here from the env the app was given, never by Bun's own
// reading of process.env (see proxyOption).
import { registerSecret } from '../util/redact.ts';

type Env = Readonly<Record<string, string | undefined>>;

const get = (env: Env, name: string) => env[name] ?? env[name.toLowerCase()];

// NO_PROXY is read on every backend call; its rules are parsed once per distinct value
const parsedRules = new Map<string, readonly string[]>();
function rulesOf(noProxy: string): readonly string[] {
  let rules = parsedRules.get(noProxy);
  if (!rules) {
    if (parsedRules.size >= 16) parsedRules.clear();
    rules = noProxy
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean)
      .map((rule) => (rule === '*' ? rule : rule.replace(/:\d+$/, '').replace(/^\*?\./, '')));
    parsedRules.set(noProxy, rules);
  }
  return rules;
}

export function noProxyMatches(host: string, noProxy: string | undefined): boolean {
  if (!noProxy) return false;
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return rulesOf(noProxy).some((bare) => bare === '*' || h === bare || h.endsWith('.' + bare));
}

export function proxyFor(url: URL, backendProxy: string | undefined, env: Env): string | undefined {
  if (backendProxy) return backendProxy;
  if (noProxyMatches(url.hostname, get(env, 'NO_PROXY'))) return undefined;
  return url.protocol === 'https:' ? (get(env, 'HTTPS_PROXY') ?? get(env, 'HTTP_PROXY')) : get(env, 'HTTP_PROXY');
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
