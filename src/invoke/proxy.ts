// Which proxy a backend request goes through: the backend's `proxy:`, else HTTPS_PROXY / HTTP_PROXY
// unless NO_PROXY matches the host. Decided here from the env the app was given, never by Bun's own
// reading of process.env (see proxyOption).
import { memoize } from '../util/memo.ts';
import { registerSecret } from '../util/redact.ts';

type Env = Readonly<Record<string, string | undefined>>;

const get = (env: Env, name: string) => env[name] ?? env[name.toLowerCase()];

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

interface ProxyEnv {
  readonly noProxy?: string;
  readonly http?: string;
  readonly https?: string;
}
// The proxy variables of an environment, read once: a read of process.env goes to the C environment
// each time, three times per backend call. A process's proxy settings are fixed at start-up.
const proxyEnvs = new WeakMap<Env, ProxyEnv>();
function proxyEnv(env: Env): ProxyEnv {
  let p = proxyEnvs.get(env);
  if (!p) proxyEnvs.set(env, (p = { noProxy: get(env, 'NO_PROXY'), http: get(env, 'HTTP_PROXY'), https: get(env, 'HTTPS_PROXY') }));
  return p;
}

export function proxyFor(url: URL, backendProxy: string | undefined, env: Env): string | undefined {
  if (backendProxy) return backendProxy;
  const p = proxyEnv(env);
  if (noProxyMatches(url.hostname, p.noProxy)) return undefined;
  return url.protocol === 'https:' ? (p.https ?? p.http) : p.http;
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
