// The answers the MCP HTTP edges (/mcp, /sse, /messages) give before a message reaches the SDK:
// JSON-RPC errors with id null, for refused credentials, bodies and transports.
import { toNexusError } from '../errors.ts';
import { type BodyLimits, CLOSE, readBodyText } from '../http/body.ts';

export const rpcError = (status: number, code: number, message: string, headers: Record<string, string> = {}) =>
  Response.json({ jsonrpc: '2.0', error: { code, message }, id: null }, { status, headers });

/** A failed authentication (401/403) with its WWW-Authenticate challenge. */
export function authRefusal(e: unknown): Response {
  const err = toNexusError(e);
  const www = err.details?.wwwAuthenticate;
  return rpcError(err.httpStatus, err.jsonRpcCode, err.message, typeof www === 'string' ? { 'www-authenticate': www } : {});
}

/** The request body as JSON, or the answer refusing it (too large, too slow, not UTF-8, not JSON, a batch). */
export async function readJsonBody(req: Request, limits: BodyLimits): Promise<{ body: unknown } | { refused: Response }> {
  let text: string;
  try {
    text = await readBodyText(req, limits);
  } catch (e) {
    const err = toNexusError(e);
    const parse = err.code === 'INVALID_INPUT';
    return {
      refused: rpcError(err.httpStatus, parse ? -32700 : -32600, parse ? `Parse error: ${err.message}` : err.message, parse ? {} : CLOSE),
    };
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    const deep = e instanceof RangeError;
    return { refused: rpcError(400, -32700, deep ? 'Parse error: JSON nested too deeply' : 'Parse error: Invalid JSON') };
  }
  if (Array.isArray(body)) return { refused: rpcError(400, -32600, 'Invalid Request: JSON-RPC batches are not supported') };
  return { body };
}
