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
