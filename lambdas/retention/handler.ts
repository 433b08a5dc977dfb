import type { Context } from 'aws-lambda';
import { HEALTH_METRICS } from '../../lib/names';
import { connectDatabase } from '../shared/adapters/postgres/database';
import { PostgresRetentionStore } from '../shared/adapters/postgres/retention-store';
import { systemClock } from '../shared/adapters/system';
import { onColdStart } from '../shared/cold-start';
import { loadConfig, type RetentionConfig, retentionConfigSchema, retentionPolicyOf } from '../shared/config';
import { logger, metrics, observed } from '../shared/observability';
import type { Clock, RetentionStore } from '../shared/use-cases/ports';
import { purgeExpiredData, type RetentionReport } from '../shared/use-cases/purge-expired-data';

/** Stop starting batches this long before the deadline; what is left waits for the next run. */
const STOP_BEFORE_DEADLINE_MS = 15_000;
/** Between batches: the purge takes a small share of the database, never a long lock. */
export const PAUSE_BETWEEN_BATCHES_MS = 20;

export interface RetentionResources {
  config: RetentionConfig;
  store: RetentionStore;
  clock: Clock;
}

const resources = onColdStart(async (): Promise<RetentionResources> => {
  const config = loadConfig(retentionConfigSchema);
  return { config, store: new PostgresRetentionStore(await connectDatabase(config)), clock: systemClock };
});

/**
 * Scheduled every 5 minutes: deletes expired idempotency keys, expired worker idempotency records and old
 * published outbox rows in small batches (docs/architecture.md, "Retention"). Any failure throws, so the
 * function's errors alarm fires. The schedule event's content is ignored.
 */
export function createRetention(getResources: () => Promise<RetentionResources> = resources) {
  return async (
    _event: unknown,
    context: Pick<Context, 'getRemainingTimeInMillis'>,
  ): Promise<RetentionReport> => {
    const { config, store, clock } = await getResources();
    const { policy, batchSize } = retentionPolicyOf(config);
    const report = await purgeExpiredData(
      { store, clock },
      policy,
      { batchSize, pauseMs: PAUSE_BETWEEN_BATCHES_MS },
      () => context.getRemainingTimeInMillis() > STOP_BEFORE_DEADLINE_MS,
    );
    const deleted = Object.values(report.kinds).reduce((sum, k) => sum + k.rows, 0);
    metrics.addMetric(HEALTH_METRICS.retentionRowsDeleted, 'Count', deleted);
    if (deleted > 0 || !report.complete) logger.info('Retention run', { ...report });
    return report;
  };
}

export const handler = observed(createRetention());
