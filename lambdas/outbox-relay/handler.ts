import type { Context } from 'aws-lambda';
import { HEALTH_METRICS } from '../../lib/names';
import { flushMetrics, logger, metrics, observed } from '../shared/observability';
import { type SharedResources, sharedResources } from '../shared/resources';
import { type RelayResult, relayOutbox } from '../shared/use-cases/relay-outbox';

/**
 * Stop this long before the Lambda deadline, so the last cycle commits. The function's timeout minus this
 * outlasts the schedule's interval: the next run has started before this one stops, so one is always
 * running (docs/architecture.md, "Outbox"; test/infra/topology.test.ts checks the arithmetic).
 */
export const RELAY_STOPS_BEFORE_DEADLINE_MS = 10_000;

/** How often the relay reports the oldest unpublished row's age (the alarm's metric). */
const BACKLOG_REPORT_MS = 15_000;

/**
 * Scheduled every minute, runs until just before its deadline: the always-on outbox relay. The schedule
 * event's content is ignored. `resources`: the process's shared ones, or a test's.
 */
export function createOutboxRelay(resources: () => Promise<SharedResources> = sharedResources) {
  return async (
    _event: unknown,
    context?: Pick<Context, 'getRemainingTimeInMillis'>,
  ): Promise<RelayResult> => {
    const { config, outboxStore, publisher } = await resources();
    const result = await relayOutbox(
      {
        outboxStore,
        publisher,
        reportBacklog: {
          everyMs: BACKLOG_REPORT_MS,
          report: (seconds) => {
            metrics.addMetric(HEALTH_METRICS.outboxOldestUnpublishedSeconds, 'Seconds', seconds);
            flushMetrics();
          },
        },
      },
      {
        batchSize: config.OUTBOX_RELAY_BATCH_SIZE,
        pollIntervalMs: config.OUTBOX_RELAY_POLL_MS,
        stopWhenIdle: !context,
      },
      () => (context ? context.getRemainingTimeInMillis() > RELAY_STOPS_BEFORE_DEADLINE_MS : true),
    );
    if (result.claimed > 0) logger.info('Outbox relayed', { ...result });
    if (result.failed > 0)
      logger.warn('Some outbox events could not be published; retried with backoff', { ...result });
    return result;
  };
}

export const handler = observed(createOutboxRelay());
