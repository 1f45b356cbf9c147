// A stand-in backend on port 0 that records every request it receives.
export interface Recorded {
  method: string;
  path: string;
  search: string;
  headers: Record<string, string>;
  body: string;
}

export function startBackend(handler: (req: Request, url: URL) => Response | Promise<Response> = () => Response.json({ ok: true })) {
  const requests: Recorded[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(req) {
      const url = new URL(req.url);
      const body = await req.text();
      requests.push({ method: req.method, path: url.pathname, search: url.search, headers: Object.fromEntries(req.headers), body });
      return handler(new Request(req.url, { method: req.method, headers: req.headers, body: body || undefined }), url);
    },
  });
  return {
    server,
    url: `http://127.0.0.1:${server.port}`,
    requests,
    [Symbol.asyncDispose]: async () => server.stop(true),
    stop: () => server.stop(true),
  };
}
