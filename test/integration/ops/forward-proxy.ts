// A tiny HTTP forward proxy that records what went through it: absolute-form requests (`GET http://...`)
// are relayed with fetch, CONNECT opens a TCP tunnel (for https:// backends).
import * as http from 'node:http';
import * as net from 'node:net';

export interface ForwardProxy {
  readonly url: string;
  /** One entry per proxied request or tunnel: `GET http://host/path` or `CONNECT host:port`. */
  readonly seen: string[];
  stop(): void;
  [Symbol.dispose](): void;
}

export async function startForwardProxy(): Promise<ForwardProxy> {
  const seen: string[] = [];
  const server = http.createServer(async (req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const headers = Object.entries(req.headers).flatMap(([k, v]) =>
      k === 'proxy-connection' || v === undefined ? [] : [[k, String(v)] as [string, string]],
    );
    try {
      // proxy: false so a proxy set in this test process's own environment can never loop back here
      const answer = await fetch(req.url!, {
        method: req.method,
        headers,
        body: chunks.length ? Buffer.concat(chunks) : undefined,
        redirect: 'manual',
        proxy: false,
      });
      res.writeHead(
        answer.status,
        Object.fromEntries([...answer.headers].filter(([k]) => !['content-encoding', 'content-length', 'transfer-encoding'].includes(k))),
      );
      res.end(Buffer.from(await answer.arrayBuffer()));
    } catch {
      res.writeHead(502).end();
    }
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    seen.push(`CONNECT ${req.url}`);
    const [host, port] = req.url!.split(':');
    const upstream = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n'));
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const stop = () => {
    server.closeAllConnections();
    server.close();
  };
  return { url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`, seen, stop, [Symbol.dispose]: stop };
}
