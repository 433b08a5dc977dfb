// What the use cases and their ports throw: plain errors in the platform's own terms. Only the edge that
// serves a request turns them into a status and a code (lambdas/api/errors.ts); a worker retries or
// dead-letters them (docs/architecture.md, "Errors").

/** The thing asked for does not exist, or is someone else's: the two are indistinguishable on purpose. */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

/** The caller may not do this. */
export class ForbiddenError extends Error {
  override readonly name = 'ForbiddenError';
}

/** The idempotency key was used before with another request. */
export class IdempotencyKeyReusedError extends Error {
  override readonly name = 'IdempotencyKeyReusedError';
}

/** A concurrent request holds the same idempotency key and did not finish in time. */
export class IdempotencyKeyInUseError extends Error {
  override readonly name = 'IdempotencyKeyInUseError';
}

/** A dependency the answer needs (the database) does not answer. */
export class DependencyUnavailableError extends Error {
  override readonly name = 'DependencyUnavailableError';
}

/** The gateway refused to work right now; nothing was charged. Retry later. */
export class GatewayUnavailableError extends Error {
  override readonly name = 'GatewayUnavailableError';
}

/** The gateway did not answer in time: the charge may or may not exist. Ask the gateway, never guess. */
export class GatewayTimeoutError extends Error {
  override readonly name = 'GatewayTimeoutError';
}

/** A timeout the gateway has no record of: nothing was charged yet, so the charge is retried later. */
export class ChargeOutcomeUnknownError extends Error {
  override readonly name = 'ChargeOutcomeUnknownError';
}

/**
 * Another attempt (perhaps one that crashed) still holds this side effect's key. Retrying before
 * `retryAfterSeconds` cannot succeed; retrying sooner only burns the message's receives.
 */
export class SideEffectInProgressError extends Error {
  override readonly name = 'SideEffectInProgressError';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}
