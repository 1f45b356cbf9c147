// The DNS-rebinding (Host) and cross-site (Origin) guard, applied to every route as one Elysia plugin
// (and callable directly by an edge that needs it before its own work). Health probes are exempt.
import { Elysia } from 'elysia';
import { NexusError } from '../errors.ts';
import { problem } from './problem.ts';

export interface WebGuardOptions {
  /** Host headers accepted (hostnames); undefined disables the check (bound to a wildcard address). */
  readonly allowedHosts?: readonly string[];
  /** Origin hostnames accepted from browsers. */
  readonly allowedOrigins: readonly string[];
}

/** Paths answered as JSON-RPC errors (MCP transports); everything else gets problem+json. */
const RPC_PATHS = /^\/(mcp|sse|messages)(\/|$|\?)/;
/** Liveness/readiness probes carry whatever Host the orchestrator uses and reveal nothing. */
const EXEMPT = new Set(['/healthz', '/readyz']);

/** The path of a request URL without building a URL object (this runs for every request). */
function pathOf(url: string): string {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  if (start < 0) return '/';
  const q = url.indexOf('?', start);
  return q < 0 ? url.slice(start) : url.slice(start, q);
}

const short = (s: string) => (s.length > 64 ? `${s.slice(0, 64)}...` : s);

function hostnameOf(value: string): string | undefined {
  try {
    return new URL(`http://${value}`).hostname;
  } catch {
    return undefined;
  }
}

function originHostname(value: string): string | undefined {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.hostname || undefined : undefined;
  } catch {
    return undefined;
  }
}

const refuse = (path: string, message: string): Response =>
  RPC_PATHS.test(path)
    ? Response.json({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }, { status: 403 })
    : problem(new NexusError('FORBIDDEN', message));

export type WebGuard = (req: Request, path?: string) => Response | undefined;

/** A function answering a refused request with 403, or undefined when it may proceed. */
export function createWebGuard(opts: WebGuardOptions): WebGuard {
  const hosts = opts.allowedHosts ? new Set(opts.allowedHosts) : undefined;
  const origins = new Set(opts.allowedOrigins);
  // Every request on a connection repeats the same Host/Origin: accepted values are remembered (bounded).
  const seenHosts = new Set<string>();
  const seenOrigins = new Set<string>();
  return (req, path) => {
    const p = path ?? pathOf(req.url);
    if (EXEMPT.has(p)) return undefined;
    if (hosts) {
      const host = req.headers.get('host');
      if (host === null) return refuse(p, 'Missing Host header');
      if (!seenHosts.has(host)) {
        const name = hostnameOf(host);
        if (name === undefined || !hosts.has(name)) return refuse(p, `Invalid Host: ${short(host)}`);
        if (seenHosts.size < 64) seenHosts.add(host);
      }
    }
    const origin = req.headers.get('origin');
    if (origin !== null && origin !== '' && !seenOrigins.has(origin)) {
      const name = originHostname(origin);
      if (name === undefined || !origins.has(name)) return refuse(p, `Invalid Origin: ${short(origin)}`);
      if (seenOrigins.size < 64) seenOrigins.add(origin);
    }
    return undefined;
  };
}

/** Elysia plugin running the guard (or one made from the options) before routing, for every route of the app it is used in. */
export function webGuard(opts: WebGuardOptions | WebGuard) {
  const guard = typeof opts === 'function' ? opts : createWebGuard(opts);
  return new Elysia({ name: 'web-guard' }).onRequest(({ request }) => guard(request));
}
