// One error type for the whole product. Edges map `code` to a transport status with the tables below.
export const ERROR_CODES = [
  'INVALID_INPUT',
  'INVALID_CONFIG',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'RATE_LIMITED',
  'PAYLOAD_TOO_LARGE',
  'REQUEST_TIMEOUT',
  'UNSUPPORTED_MEDIA_TYPE',
  'UPSTREAM_ERROR',
  'UPSTREAM_TIMEOUT',
  'UPSTREAM_UNREACHABLE',
  'CREDENTIAL_ERROR',
  'VAULT_ERROR',
  'UNAVAILABLE',
  /** A backend's budget of calls in flight (or the process's) is full: refused at once, not queued. */
  'OVERLOADED',
  /** A backend's circuit breaker is open after repeated failures. */
  'CIRCUIT_OPEN',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface NexusErrorOptions {
  cause?: unknown;
  /** Structured, secret-free details safe to show a client (issues list, retryAfter, ...). */
  details?: Record<string, unknown>;
}

export class NexusError extends Error {
  readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;
  constructor(code: ErrorCode, message: string, options: NexusErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'NexusError';
    this.code = code;
    if (options.details) this.details = options.details;
  }
  get httpStatus(): number {
    return HTTP_STATUS[this.code];
  }
  get jsonRpcCode(): number {
    return JSON_RPC_CODE[this.code];
  }
}

export const isNexusError = (e: unknown): e is NexusError => e instanceof NexusError;

/** Wraps anything thrown into a NexusError without leaking its message (it may hold secrets). */
export function toNexusError(e: unknown): NexusError {
  if (e instanceof NexusError) return e;
  return new NexusError('INTERNAL', 'internal error', { cause: e });
}

export const HTTP_STATUS: Record<ErrorCode, number> = {
  INVALID_INPUT: 400,
  INVALID_CONFIG: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  PAYLOAD_TOO_LARGE: 413,
  REQUEST_TIMEOUT: 408,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UPSTREAM_ERROR: 502,
  UPSTREAM_TIMEOUT: 504,
  UPSTREAM_UNREACHABLE: 502,
  CREDENTIAL_ERROR: 502,
  VAULT_ERROR: 500,
  UNAVAILABLE: 503,
  OVERLOADED: 503,
  CIRCUIT_OPEN: 503,
  INTERNAL: 500,
};

// JSON-RPC: -32602 invalid params, -32600 invalid request, -32603 internal; -32000..-32099 are ours.
export const JSON_RPC_CODE: Record<ErrorCode, number> = {
  INVALID_INPUT: -32602,
  INVALID_CONFIG: -32603,
  UNAUTHORIZED: -32001,
  FORBIDDEN: -32003,
  NOT_FOUND: -32602,
  CONFLICT: -32009,
  RATE_LIMITED: -32029,
  PAYLOAD_TOO_LARGE: -32600,
  REQUEST_TIMEOUT: -32600,
  UNSUPPORTED_MEDIA_TYPE: -32600,
  UPSTREAM_ERROR: -32050,
  UPSTREAM_TIMEOUT: -32051,
  UPSTREAM_UNREACHABLE: -32052,
  CREDENTIAL_ERROR: -32053,
  VAULT_ERROR: -32603,
  UNAVAILABLE: -32054,
  OVERLOADED: -32055,
  CIRCUIT_OPEN: -32056,
  INTERNAL: -32603,
};
