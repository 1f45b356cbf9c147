// Which Host and Origin headers /mcp accepts (DNS-rebinding and cross-site protection).
const LOOPBACK = ['localhost', '127.0.0.1', '[::1]'];

export const isLoopback = (host: string) => /^(localhost|127\.\d+\.\d+\.\d+|::1|\[::1\])$/i.test(host);
const isWildcard = (host: string) => host === '0.0.0.0' || host === '::' || host === '[::]';
const bracket = (h: string) => (h.includes(':') && !h.startsWith('[') ? `[${h}]` : h);

/** Hostnames accepted in the Host header; undefined (no check) when bound to all addresses with no list. */
export function allowedHostnames(bindHost: string, extra: readonly string[]): string[] | undefined {
  if (isWildcard(bindHost)) return extra.length ? [...LOOPBACK, ...extra] : undefined;
  return [...new Set([...LOOPBACK, bracket(bindHost), ...extra])];
}

/** Origin hostnames accepted from browsers: loopback plus the configured ones (full origins accepted). */
export function originHostnames(extra: readonly string[]): string[] {
  return [
    ...LOOPBACK,
    ...extra.map((o) => {
      try {
        return new URL(o).hostname ? bracket(new URL(o).hostname) : o;
      } catch {
        return o;
      }
    }),
  ];
}
