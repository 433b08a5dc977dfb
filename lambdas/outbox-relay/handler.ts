import type { Context } from 'aws-lambda';
import { logger, observed } from '../shared/observability';
import { type SharedResources, sharedResources } from '../shared/resources';
import { type RelayResult, relayOutbox } from '../shared/use-cases/relay-outbox';

/** Stop sweeping this long before the Lambda deadline, so the last batch can be marked. */
const SAFETY_MARGIN_MS = 10_000;

/**
 * Scheduled: publishes outbox rows their producer left unpublished. The schedule event's content is
 * ignored. `resources`: the process's shared ones, or a test's.
 */
export function createOutboxRelay(resources: () => Promise<SharedResources> = sharedResources) {
  return async (
    _event: unknown,
    context?: Pick<Context, 'getRemainingTimeInMillis'>,
  ): Promise<RelayResult> => {
    const { config, outboxStore, publisher } = await resources();
    const result = await relayOutbox(
      { outboxStore, publisher },
      { graceSeconds: config.OUTBOX_RELAY_GRACE_SECONDS, batchSize: config.OUTBOX_RELAY_BATCH_SIZE },
      () => (context ? context.getRemainingTimeInMillis() > SAFETY_MARGIN_MS : true),
    );
    if (result.claimed > 0) logger.info('Outbox relayed', { ...result });
    if (result.failed > 0)
      logger.warn('Some outbox events could not be published; retried with backoff', { ...result });
    return result;
  };
}

export const handler = observed(createOutboxRelay());
