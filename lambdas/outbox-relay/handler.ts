import type { Context } from 'aws-lambda';
import { onColdStart } from '../shared/cold-start';
import { logger } from '../shared/logger';
import { getPlatform } from '../shared/platform';
import type { EventPublisher, OutboxStore } from '../shared/use-cases/ports';
import { type RelayOptions, type RelayResult, relayOutbox } from '../shared/use-cases/relay-outbox';

export interface OutboxRelayDeps {
  outbox: OutboxStore;
  publisher: EventPublisher;
  options: RelayOptions;
}

/** Stop sweeping this long before the Lambda deadline, so the last batch can be marked. */
const SAFETY_MARGIN_MS = 10_000;

/** Scheduled: publishes outbox rows their producer left unpublished. The schedule event's content is ignored. */
export function createOutboxRelay(deps: () => Promise<OutboxRelayDeps>) {
  return async (
    _event: unknown,
    context?: Pick<Context, 'getRemainingTimeInMillis'>,
  ): Promise<RelayResult> => {
    const d = await deps();
    const result = await relayOutbox(d, d.options, () =>
      context ? context.getRemainingTimeInMillis() > SAFETY_MARGIN_MS : true,
    );
    if (result.claimed > 0) logger.info('Outbox relayed', { ...result });
    if (result.failed > 0)
      logger.warn('Some outbox events could not be published; retried with backoff', { ...result });
    return result;
  };
}

async function buildDeps(): Promise<OutboxRelayDeps> {
  const { config, outbox, publisher } = await getPlatform();
  return {
    outbox,
    publisher,
    options: { graceSeconds: config.OUTBOX_RELAY_GRACE_SECONDS, batchSize: config.OUTBOX_RELAY_BATCH_SIZE },
  };
}

export const handler = createOutboxRelay(onColdStart(buildDeps));
