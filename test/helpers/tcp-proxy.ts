// A TCP proxy on port 0 in front of a real server, that the test can freeze: while paused it accepts
// connections and bytes but forwards nothing either way (a SIGSTOPped or partitioned server, as a
// client sees it), and on resume delivers what it held.
import type { Socket } from 'bun';

interface Pipe {
  upstream?: Socket<Pipe>;
  client: Socket<Pipe>;
  toUpstream: Uint8Array[];
  toClient: Uint8Array[];
}

export function startTcpProxy(target: { host: string; port: number }) {
  let paused = false;
  const pipes = new Set<Pipe>();
  const flush = (p: Pipe) => {
    if (paused) return;
    if (p.upstream) for (const b of p.toUpstream.splice(0)) p.upstream.write(b);
    for (const b of p.toClient.splice(0)) p.client.write(b);
  };
  const server = Bun.listen<Pipe>({
    hostname: '127.0.0.1',
    port: 0,
    socket: {
      open(client) {
        const pipe: Pipe = { client, toUpstream: [], toClient: [] };
        client.data = pipe;
        pipes.add(pipe);
        void Bun.connect<Pipe>({
          hostname: target.host,
          port: target.port,
          data: pipe,
          socket: {
            open(up) {
              pipe.upstream = up;
              flush(pipe);
            },
            data(_up, chunk) {
              pipe.toClient.push(new Uint8Array(chunk));
              flush(pipe);
            },
            close() {
              pipe.client.end();
            },
            error() {
              pipe.client.end();
            },
          },
        }).catch(() => client.end());
      },
      data(client, chunk) {
        client.data.toUpstream.push(new Uint8Array(chunk));
        flush(client.data);
      },
      close(client) {
        client.data.upstream?.end();
        pipes.delete(client.data);
      },
    },
  });
  return {
    port: server.port,
    pause: () => void (paused = true),
    resume() {
      paused = false;
      for (const p of pipes) flush(p);
    },
    stop() {
      for (const p of pipes) {
        p.client.end();
        p.upstream?.end();
      }
      server.stop(true);
    },
  };
}
