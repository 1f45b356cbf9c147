// Adapts the response-cache service to the call pipeline's `responses` port: keys from the tool, its
// arguments and the credential identity; a result is cacheable unless it is an error result.
import { argsDigest } from '../util/digest.ts';
import { cacheKeyOf } from './key.ts';
import type { AnswerSource, CachePolicy, ResponseCacheService } from './service.ts';

/** The parts of a ToolSpec the cache reads. */
export interface CachedTool {
  readonly name: string;
  readonly cache?: CachePolicy;
  /** Waiters for an identical call give up after the backend's timeout. */
  readonly backend: { readonly timeoutMs: number };
}

export interface ToolResponses<R> {
  /** `digest` is `argsDigest(args)` when the caller has computed it already. */
  fetch(
    tool: CachedTool,
    args: Record<string, unknown>,
    credentialIdentity: string,
    fn: (signal?: AbortSignal) => Promise<R>,
    digest?: string,
    /** This caller's, read only on a miss; fn's own fires only when no identical caller waits any more. */
    signal?: () => AbortSignal | undefined,
  ): Promise<{ value: R; source: AnswerSource }>;
}

export function createToolResponses<R extends { readonly isError?: boolean }>(service: ResponseCacheService): ToolResponses<R> {
  return {
    fetch: (tool, args, credentialIdentity, fn, digest, signal) =>
      service.fetch(
        cacheKeyOf(tool.name, digest ?? argsDigest(args), credentialIdentity),
        tool.cache,
        tool.backend.timeoutMs,
        async (flightSignal) => {
          const value = await fn(flightSignal);
          return { value, cacheable: !value.isError };
        },
        signal,
      ),
  };
}
