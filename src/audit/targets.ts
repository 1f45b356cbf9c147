// Audit export targets from NEXUS_AUDIT_EXPORT: `stdout`, `file:PATH`, `syslog+udp://HOST:PORT`,
// `syslog+tcp://…`, `syslog+tls://…`, `otlp` (OTLP/HTTP logs to OTEL_EXPORTER_OTLP_ENDPOINT).
import { createSocket } from 'node:dgram';
import { createWriteStream, readFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { rootCertificates, connect as tlsConnect } from 'node:tls';
import { NexusError } from '../errors.ts';
import type { AuditTarget } from './export.ts';
import { auditJson, octetFrame, syslogMessage } from './syslog.ts';

interface Sink {
  write(chunk: string, cb: (err?: Error | null) => void): boolean;
  once(event: 'drain' | 'close' | 'error', fn: (e?: Error) => void): unknown;
  removeListener(event: string, fn: (...a: unknown[]) => void): unknown;
  end?(): unknown;
  destroy?(): unknown;
}

const CONNECT_TIMEOUT_MS = 5000;

/** Writes one chunk; resolves when the stream took it, waiting for 'drain' if its buffer is full. */
function writeTo(sink: Sink, chunk: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const done = (e?: Error | null) => {
      if (settled) return;
      settled = true;
      sink.removeListener('close', closed);
      if (e) reject(e);
      else resolve();
    };
    const closed = () => done(new Error('connection closed'));
    sink.once('close', closed);
    // the callback fires once the chunk is handed to the OS: a stalled receiver keeps it pending
    sink.write(chunk, (e) => done(e));
  });
}

type Format = (records: Parameters<AuditTarget['write']>[0]) => string;
const jsonLines: Format = (records) => `${records.map(auditJson).join('\n')}\n`;
// octet-counted frames, one per record (RFC 5425 / RFC 6587)
const syslogFrames: Format = (records) => records.map((r) => octetFrame(syslogMessage(r))).join('');

/** A target over a stream opened on first use and again after it closed or failed. */
function streamTarget(kind: string, open: () => Promise<Sink>, format: Format, closeSink = true): AuditTarget {
  let sink: Promise<Sink> | undefined;
  const get = () =>
    (sink ??= open().then((s) => {
      const forget = () => (sink = undefined);
      s.once('close', forget);
      s.once('error', forget);
      return s;
    })).catch((e) => {
      sink = undefined;
      throw e;
    });
  return {
    kind,
    async write(records) {
      await writeTo(await get(), format(records));
    },
    async close() {
      const s = await sink?.catch(() => undefined);
      if (closeSink) s?.destroy?.();
    },
  };
}

function socketTarget(url: URL, tls: boolean, caFile?: string): AuditTarget {
  const port = Number(url.port) || (tls ? 6514 : 601);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const ca = caFile ? [...rootCertificates, readFileSync(caFile, 'utf8')] : undefined;
  const open = () =>
    new Promise<Sink>((resolve, reject) => {
      const s = tls ? tlsConnect({ host, port, servername: host, ...(ca && { ca }) }) : tcpConnect({ host, port });
      const timer = setTimeout(() => {
        s.destroy();
        reject(new Error(`syslog receiver ${host}:${port} did not accept a connection within ${CONNECT_TIMEOUT_MS} ms`));
      }, CONNECT_TIMEOUT_MS);
      s.once(tls ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        resolve(s as unknown as Sink);
      });
      s.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
  return streamTarget('syslog', open, syslogFrames);
}

function udpTarget(url: URL): AuditTarget {
  const port = Number(url.port) || 514;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  socket.unref();
  const send = (msg: string) =>
    new Promise<void>((resolve, reject) => socket.send(Buffer.from(msg), port, host, (e) => (e ? reject(e) : resolve())));
  return {
    kind: 'syslog',
    async write(records) {
      // one datagram per message (RFC 5426), kept within what every receiver accepts
      for (const r of records) await send(syslogMessage(r).slice(0, 8192));
    },
    close: async () => void socket.close(),
  };
}

export interface TargetOptions {
  /** Where `stdout` writes (tests pass their own). */
  readonly stdout?: Sink;
  readonly caFile?: string;
  /** Builds the OTLP logs target (loaded only when configured). */
  readonly otlp?: () => Promise<AuditTarget>;
}

/** Parses NEXUS_AUDIT_EXPORT entries into targets; every bad entry is reported at once. */
export async function openAuditTargets(entries: readonly string[], opts: TargetOptions = {}): Promise<AuditTarget[]> {
  const problems: string[] = [];
  const out: Array<AuditTarget | Promise<AuditTarget>> = [];
  for (const e of entries) {
    if (e === 'stdout') {
      const stdout = (opts.stdout ?? process.stdout) as Sink;
      out.push(streamTarget('stdout', async () => stdout, jsonLines, false));
    } else if (e.startsWith('file:')) {
      const path = e.startsWith('file://') ? new URL(e).pathname : e.slice(5);
      if (!path) problems.push(`${e}: expected file:/path/to/audit.jsonl`);
      else out.push(streamTarget('file', async () => createWriteStream(path, { flags: 'a', mode: 0o600 }) as unknown as Sink, jsonLines));
    } else if (/^syslog\+(udp|tcp|tls):\/\//.test(e) && URL.canParse(e)) {
      const url = new URL(e);
      if (!url.hostname) problems.push(`${e}: expected syslog+udp://HOST:PORT`);
      else if (url.protocol === 'syslog+udp:') out.push(udpTarget(url));
      else out.push(socketTarget(url, url.protocol === 'syslog+tls:', opts.caFile));
    } else if (e === 'otlp') {
      if (!opts.otlp) problems.push('otlp: needs OTEL_EXPORTER_OTLP_ENDPOINT');
      else out.push(opts.otlp());
    } else problems.push(`${e}: expected stdout, file:PATH, syslog+udp|tcp|tls://HOST:PORT or otlp`);
  }
  if (problems.length) throw new NexusError('INVALID_CONFIG', `NEXUS_AUDIT_EXPORT: ${problems.join('; ')}`);
  return Promise.all(out);
}
