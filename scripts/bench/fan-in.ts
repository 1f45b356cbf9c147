// Fan-in: N identical calls at once on a cached tool over a slow backend, spread over gateways that
// share Redis. Ideal: one backend request, everyone else served the same answer.
import type { BenchBackend } from './backend.ts';
import type { Gateway } from './nexus.ts';
import { checkCall, toolCall } from './wrk.ts';

export interface FanInResult {
  readonly calls: number;
  readonly instances: number;
  readonly backendRequests: number;
  readonly wallMs: number;
  /** `_meta["nexus/source"]` of the answers, counted. */
  readonly sources: Record<string, number>;
}

async function backendCount(url: string): Promise<number> {
  return ((await (await fetch(`${url}/__count`)).json()) as { count: number }).count;
}

/** `calls` concurrent identical calls, round-robin over `gateways`; the backend is a separate process or in-process. */
export async function fanIn(
  gateways: readonly Gateway[],
  tool: string,
  calls: number,
  backend: Pick<BenchBackend, 'url'>,
): Promise<FanInResult> {
  const args = { id: String(Math.floor(Math.random() * 1e8)) }; // a key no one has cached yet
  const before = await backendCount(backend.url);
  const started = performance.now();
  const results = await Promise.all(
    Array.from({ length: calls }, (_, i) => checkCall(toolCall(gateways[i % gateways.length]!.mcpUrl, '2026-07-28', tool, args))),
  );
  const wallMs = performance.now() - started;
  const sources: Record<string, number> = {};
  for (const r of results) {
    const s = String((r._meta as Record<string, unknown> | undefined)?.['nexus/source'] ?? 'unknown');
    sources[s] = (sources[s] ?? 0) + 1;
  }
  return { calls, instances: gateways.length, backendRequests: (await backendCount(backend.url)) - before, wallMs, sources };
}
