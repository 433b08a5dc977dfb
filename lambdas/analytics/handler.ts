import { S3Client } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { HEALTH_METRICS } from '../../lib/names';
import { FileObjectStore, S3ObjectStore } from '../shared/adapters/analytics/object-stores';
import { ParquetExports } from '../shared/adapters/analytics/parquet-exports';
import { awsClientConfig } from '../shared/adapters/aws-client-config';
import { PostgresAnalyticsStore } from '../shared/adapters/postgres/analytics-store';
import { connectDatabase } from '../shared/adapters/postgres/database';
import { systemClock } from '../shared/adapters/system';
import { onColdStart } from '../shared/cold-start';
import { type AnalyticsConfig, analyticsConfigSchema, loadConfig } from '../shared/config';
import { logger, metrics, observed, traced } from '../shared/observability';
import type { AnalyticsExports, AnalyticsStore, Clock } from '../shared/use-cases/ports';
import { type AnalyticsReport, runAnalytics } from '../shared/use-cases/run-analytics';

/** Stop starting batches and exports this long before the deadline; what is left waits for the next run. */
const STOP_BEFORE_DEADLINE_MS = 30_000;

export interface AnalyticsResources {
  config: AnalyticsConfig;
  store: AnalyticsStore;
  exports: AnalyticsExports;
  clock: Clock;
}

const resources = onColdStart(async (): Promise<AnalyticsResources> => {
  const config = loadConfig(analyticsConfigSchema);
  const objects = config.ANALYTICS_EXPORT_DIR
    ? new FileObjectStore(config.ANALYTICS_EXPORT_DIR)
    : new S3ObjectStore(config.ANALYTICS_BUCKET_NAME!, traced(new S3Client(awsClientConfig)));
  return {
    config,
    store: new PostgresAnalyticsStore(await connectDatabase(config)),
    exports: new ParquetExports(objects),
    clock: systemClock,
  };
});

/** A backfill request (`{"from": "2026-11-01", "to": "2026-11-08"}`); the schedule's event has neither. */
const backfillEvent = z.object({
  from: z.iso.date().or(z.iso.datetime()),
  to: z.iso.date().or(z.iso.datetime()),
});

/**
 * Scheduled hourly (every few seconds locally): the incremental run from the cursors, or a backfill when
 * invoked with a range (docs/architecture.md, "Analytics"). Any failure throws, so the errors alarm fires;
 * each success counts one `AnalyticsRunSucceeded`, whose absence for 2 hours alarms.
 */
export function createAnalytics(getResources: () => Promise<AnalyticsResources> = resources) {
  return async (
    event: unknown,
    context: Pick<Context, 'getRemainingTimeInMillis'>,
  ): Promise<AnalyticsReport> => {
    const { config, store, exports, clock } = await getResources();
    const backfill = backfillEvent.safeParse(event);
    const report = await runAnalytics(
      { store, exports, clock },
      {
        batchSize: config.ANALYTICS_BATCH_SIZE,
        safeLagMs: config.ANALYTICS_SAFE_LAG_SECONDS * 1000,
        range: backfill.success
          ? { from: new Date(backfill.data.from), to: new Date(backfill.data.to) }
          : undefined,
      },
      () => context.getRemainingTimeInMillis() > STOP_BEFORE_DEADLINE_MS,
    );
    metrics.addMetric(HEALTH_METRICS.analyticsRunSucceeded, 'Count', 1);
    metrics.addMetric(HEALTH_METRICS.analyticsPaymentsProcessed, 'Count', report.payments);
    if (report.payments > 0 || !report.complete) logger.info('Analytics run', { ...report });
    return report;
  };
}

export const handler = observed(createAnalytics());
