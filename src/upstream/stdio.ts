// A local MCP server as a child process speaking JSON-RPC lines on stdin/stdout. The child runs in a
// process group of its own (so `npx` and what it starts end together), gets only the env it was
// given plus PATH and HOME, has its stderr logged (redacted by the logger), and cannot flood Nexus:
// non-JSON stdout lines and over-long lines are dropped and counted.
import { type ChildProcess, spawn } from 'node:child_process';
import type { JSONRPCMessage, Transport } from '@modelcontextprotocol/client';
import type { Logger } from '../log.ts';

export interface StdioOptions {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** Longest stdout line (one message) accepted. */
  readonly maxLineBytes: number;
  readonly log: Logger;
}

/** PATH and HOME of Nexus's own environment (a documented exception: the environment of a spawned process). */
function inherited(): Record<string, string> {
  const out: Record<string, string> = {};
  if (process.env.PATH !== undefined) out.PATH = process.env.PATH;
  if (process.env.HOME !== undefined) out.HOME = process.env.HOME;
  return out;
}

const STDERR_LINES_PER_MINUTE = 120;
const KILL_GRACE_MS = 2000;

export class StdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T) => void;
  /** Why the child ended, for the server's state ("exited with code 1"). */
  exitReason?: string;
  /** Lines of stdout that were not JSON-RPC messages. */
  noise = 0;
  private child?: ChildProcess;
  private closed = false;

  constructor(private readonly opts: StdioOptions) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): Promise<void> {
    const o = this.opts;
    const env: Record<string, string> = { ...inherited(), ...o.env };
    return new Promise((resolve, reject) => {
      let child: ChildProcess;
      try {
        child = spawn(o.command, [...o.args], { env, cwd: o.cwd, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
      } catch (e) {
        reject(e as Error);
        return;
      }
      this.child = child;
      child.once('error', (e) => {
        this.exitReason = `could not start ${o.command}: ${(e as NodeJS.ErrnoException).code ?? e.message}`;
        reject(new Error(this.exitReason));
        this.finish();
      });
      child.once('spawn', () => resolve());
      child.once('exit', (code, signal) => {
        this.exitReason ??= signal ? `ended by ${signal}` : `exited with code ${code}`;
        this.finish();
      });
      child.stdin!.on('error', () => {}); // EPIPE after the child died: reported through exit
      this.readLines(child.stdout!, (line) => this.onLine(line));
      this.readStderr(child.stderr!);
    });
  }

  private readLines(stream: NodeJS.ReadableStream, each: (line: string) => void) {
    let buf = '';
    let skipping = false;
    stream.setEncoding?.('utf8');
    stream.on('data', (chunk: string) => {
      let start = 0;
      for (let nl = chunk.indexOf('\n'); nl !== -1; nl = chunk.indexOf('\n', start)) {
        const part = chunk.slice(start, nl);
        if (!skipping) each(buf + part);
        buf = '';
        skipping = false;
        start = nl + 1;
      }
      if (!skipping) buf += chunk.slice(start);
      if (buf.length > this.opts.maxLineBytes) {
        this.noise++;
        buf = '';
        skipping = true; // the rest of this line is dropped too
      }
    });
  }

  private onLine(raw: string) {
    const line = raw.trim();
    if (!line) return;
    let msg: unknown;
    try {
      msg = JSON.parse(line);
    } catch {
      msg = undefined;
    }
    if (!msg || typeof msg !== 'object' || (msg as { jsonrpc?: unknown }).jsonrpc !== '2.0') {
      if (this.noise++ < 5) this.opts.log.warn('upstream wrote a non-JSON-RPC line on stdout; dropped', { line: line.slice(0, 200) });
      return;
    }
    this.onmessage?.(msg as JSONRPCMessage);
  }

  private readStderr(stream: NodeJS.ReadableStream) {
    let windowStart = Date.now();
    let count = 0;
    this.readLines(stream, (line) => {
      if (!line.trim()) return;
      if (Date.now() - windowStart > 60_000) {
        windowStart = Date.now();
        if (count > STDERR_LINES_PER_MINUTE)
          this.opts.log.warn('upstream stderr lines dropped', { dropped: count - STDERR_LINES_PER_MINUTE });
        count = 0;
      }
      if (++count <= STDERR_LINES_PER_MINUTE) this.opts.log.info('upstream stderr', { line: line.slice(0, 1000) });
    });
  }

  async send(message: JSONRPCMessage): Promise<void> {
    const stdin = this.child?.stdin;
    if (!stdin || this.closed) throw new Error(`server process is not running (${this.exitReason ?? 'not started'})`);
    await new Promise<void>((resolve, reject) => stdin.write(`${JSON.stringify(message)}\n`, (e) => (e ? reject(e) : resolve())));
  }

  /** Ends the whole process group: TERM, then KILL if it is still there after a grace period. */
  async close(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return this.finish();
    this.exitReason ??= 'stopped by Nexus';
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    killGroup(child, 'SIGTERM');
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), KILL_GRACE_MS);
    await exited;
    clearTimeout(timer);
    killGroup(child, 'SIGKILL'); // anything the group's leader left behind
    this.finish();
  }

  private finish() {
    if (this.closed) return;
    this.closed = true;
    this.onclose?.();
  }
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals) {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {}
  }
}
