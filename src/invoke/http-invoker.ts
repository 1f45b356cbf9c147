// The invoker for HTTP tools: template -> request, credential, send, one OAuth refresh on 401, shape.
import type { Invoker } from '../call/types.ts';
import { NexusError } from '../errors.ts';
import type { HttpToolSpec } from '../registry/spec.ts';
import { type HttpOptions, send } from './http.ts';
import { buildRequest } from './request.ts';
import { shapeResponse } from './result.ts';
import { type InjectCredential, type Injected, NOTHING_INJECTED, withInjected } from './types.ts';

export interface HttpInvokerDeps {
  readonly http?: HttpOptions;
  /** Absent: no vault is configured, and a tool with auth fails with CREDENTIAL_ERROR. */
  readonly inject?: InjectCredential;
}

const isOAuth = (t: HttpToolSpec) => t.auth?.type === 'oauth2_client_credentials' || t.auth?.type === 'oauth2_refresh_token';

export function createHttpInvoker(deps: HttpInvokerDeps): Invoker<HttpToolSpec> {
  const http = deps.http ?? {};
  const credential = async (tool: HttpToolSpec, caller: Parameters<Invoker>[2], attempt: 1 | 2): Promise<Injected> => {
    if (!tool.auth) return NOTHING_INJECTED;
    if (!deps.inject)
      throw new NexusError('CREDENTIAL_ERROR', `tool ${tool.name} needs credential "${tool.auth.credential}" but no vault is configured`);
    return deps.inject(tool.auth, caller, attempt);
  };
  return async (tool, args, caller, ctx) => {
    for (let attempt = 1 as 1 | 2; ; attempt = 2) {
      const req = buildRequest(tool, args);
      const injected = await credential(tool, caller, attempt);
      const res = await send(withInjected(req, injected), tool.backend, ctx.signal ? { ...http, signal: ctx.signal } : http);
      if (res.status === 401 && attempt === 1 && isOAuth(tool)) continue; // one token refresh, one retry
      return shapeResponse(res, injected.secrets);
    }
  };
}
