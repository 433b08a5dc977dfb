// What the use cases and their ports throw: plain errors in the platform's own terms. Only the edge that
// serves a request turns them into a status and a code (lambdas/api/errors.ts); a worker retries or
// dead-letters them (docs/architecture.md, "Errors").

/** An Error class whose `name` survives minification (logs show it; class names do not survive). */
function named(name: string) {
  return class extends Error {
    override readonly name = name;
  };
}

/** The thing asked for does not exist, or is someone else's: the two are indistinguishable on purpose. */
export class NotFoundError extends named('NotFoundError') {}

/** The caller may not do this. */
export class ForbiddenError extends named('ForbiddenError') {}

/** The idempotency key was used before with another request. */
export class IdempotencyKeyReusedError extends named('IdempotencyKeyReusedError') {}

/** A concurrent request holds the same idempotency key and did not finish in time. */
export class IdempotencyKeyInUseError extends named('IdempotencyKeyInUseError') {}

/** A dependency the answer needs (the database) does not answer. */
export class DependencyUnavailableError extends named('DependencyUnavailableError') {}

/** The gateway refused to work right now; nothing was charged. Retry later. */
export class GatewayUnavailableError extends named('GatewayUnavailableError') {}

/** The gateway did not answer in time: the charge may or may not exist. Ask the gateway, never guess. */
export class GatewayTimeoutError extends named('GatewayTimeoutError') {}

/** A timeout the gateway has no record of: nothing was charged yet, so the charge is retried later. */
export class ChargeOutcomeUnknownError extends named('ChargeOutcomeUnknownError') {}

/**
 * A payment reached its charge without a risk assessment. RiskAssessed is written with the assessment, so
 * this is a bug or a hand-made message: retried, then dead-lettered, and never charged unscreened.
 */
export class RiskAssessmentMissingError extends named('RiskAssessmentMissingError') {}

/**
 * Another attempt (perhaps one that crashed) still holds this side effect's key. Retrying before
 * `retryAfterSeconds` cannot succeed; retrying sooner only burns the message's receives.
 */
export class SideEffectInProgressError extends named('SideEffectInProgressError') {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/**
 * Failures a retry is expected to fix, part of normal recovery (after a restart, a crash, a busy
 * gateway): a worker logs them at INFO in one line, without a stack; anything else is a WARN with it.
 */
export function isExpectedRetry(error: unknown): boolean {
  return (
    error instanceof SideEffectInProgressError ||
    error instanceof GatewayUnavailableError ||
    error instanceof ChargeOutcomeUnknownError
  );
}
