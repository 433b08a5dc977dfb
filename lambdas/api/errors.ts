import type { ZodError } from 'zod';
import {
  DependencyUnavailableError,
  ForbiddenError,
  IdempotencyKeyInUseError,
  IdempotencyKeyReusedError,
  NotFoundError,
} from '../shared/use-cases/errors';

// The one table from errors to HTTP answers (docs/architecture.md, "Errors"). Use cases and ports throw
// plain errors; requests refused before any use case runs throw RequestError. Anything else is
// `internal_error`: logged with its stack, answered with nothing about the internals.

/** Every code a client can see, with its HTTP status. */
export const ERROR_STATUS = {
  validation_error: 400,
  idempotency_key_missing: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  idempotency_key_in_use: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  idempotency_key_reused: 422,
  // WAF's answer over a rate limit (lib/rate-limits.ts), never the function's; with Retry-After.
  rate_limited: 429,
  internal_error: 500,
  service_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ErrorDetail {
  field: string;
  issue: string;
}

/** A request refused at the edge: malformed, unauthenticated, too large, or for no route. */
export class RequestError extends Error {
  override readonly name = 'RequestError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetail[],
  ) {
    super(message);
  }
}

/** One detail per wrong field; an unknown field or query parameter is named itself. */
export function validationError(error: ZodError, what = 'The request is invalid'): RequestError {
  const details = error.issues.flatMap((i) =>
    i.code === 'unrecognized_keys'
      ? i.keys.map((key) => ({ field: [...i.path, key].join('.'), issue: 'is not a known field' }))
      : [{ field: i.path.join('.') || 'body', issue: i.message }],
  );
  return new RequestError('validation_error', what, details);
}

const CODE_OF: ReadonlyArray<readonly [abstract new (...args: never[]) => Error, ErrorCode]> = [
  [NotFoundError, 'not_found'],
  [ForbiddenError, 'forbidden'],
  [IdempotencyKeyReusedError, 'idempotency_key_reused'],
  [IdempotencyKeyInUseError, 'idempotency_key_in_use'],
  [DependencyUnavailableError, 'service_unavailable'],
];

export interface ErrorAnswer {
  status: number;
  code: ErrorCode;
  message: string;
  details?: ErrorDetail[];
  /** For 503: when to retry (the `Retry-After` header). A dependency's refusal is usually brief. */
  retryAfterSeconds?: number;
}

const RETRY_AFTER_SECONDS = 1;

/** What the client is told about `error`. Messages of the errors in the table are written for clients. */
export function errorAnswer(error: unknown): ErrorAnswer {
  if (error instanceof RequestError) {
    return {
      status: ERROR_STATUS[error.code],
      code: error.code,
      message: error.message,
      details: error.details,
    };
  }
  const code = CODE_OF.find(([type]) => error instanceof type)?.[1];
  if (code === 'service_unavailable') {
    return { status: 503, code, message: (error as Error).message, retryAfterSeconds: RETRY_AFTER_SECONDS };
  }
  if (code) return { status: ERROR_STATUS[code], code, message: (error as Error).message };
  return { status: 500, code: 'internal_error', message: 'Something went wrong on our side' };
}
