import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { RecordingNotifier } from '../shared/adapters/notifier/recording-notifier';
import { PostgresNotificationStore } from '../shared/adapters/postgres/notification-store';
import { PowertoolsIdempotencyGuard } from '../shared/adapters/postgres/worker-idempotency';
import { consumeEvents } from '../shared/adapters/sqs/event-batch';
import { type RetryScheduler, SqsVisibilityBackoff } from '../shared/adapters/sqs/visibility-backoff';
import { onColdStart } from '../shared/cold-start';
import { PaymentFailed, PaymentSucceeded } from '../shared/events';
import { logger } from '../shared/logger';
import { metrics } from '../shared/metrics';
import { getPlatform } from '../shared/platform';
import { type NotifyDeps, notifyPaymentOutcome } from '../shared/use-cases/notify-payment-outcome';

export interface NotificationWorkerDeps {
  notifying: NotifyDeps;
  guards: PowertoolsIdempotencyGuard[];
  retries: RetryScheduler;
  metrics?: Metrics;
}

/** SQS (PaymentSucceeded | PaymentFailed) -> one email and one SMS per payment -> NotificationSent. */
export function createNotificationWorker(deps: () => Promise<NotificationWorkerDeps>) {
  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const d = await deps();
    for (const guard of d.guards) guard.registerLambdaContext(context);
    try {
      return await consumeEvents(event, context, {
        accepts: [PaymentSucceeded, PaymentFailed],
        retries: d.retries,
        logger,
        outbox: d.notifying.dispatcher,
        handle: async ({ detail }, log, outbox) => {
          const result = await notifyPaymentOutcome({ ...d.notifying, dispatcher: outbox }, detail);
          log.info('Payment outcome notified', { payment_id: detail.payment.id, ...result });
          if (result.stored.length > 0)
            d.metrics?.addMetric('NotificationsSent', MetricUnit.Count, result.stored.length);
        },
      });
    } finally {
      if (d.metrics?.hasStoredMetrics()) d.metrics.publishStoredMetrics();
    }
  };
}

async function buildDeps(): Promise<NotificationWorkerDeps> {
  // Shared with every other function in the process (one pool, one publisher; matters locally).
  const { config, db, dispatcher } = await getPlatform();
  const sendGuard = new PowertoolsIdempotencyGuard(db, {
    scope: 'notification-send',
    expiresAfterSeconds: config.WORKER_IDEMPOTENCY_TTL_SECONDS,
  });
  return {
    notifying: {
      store: new PostgresNotificationStore(db),
      notifier: new RecordingNotifier((m) =>
        logger.info('Notification recorded (not sent: recording provider)', {
          channel: m.channel,
          user_id: m.userId,
          provider_message_id: m.providerMessageId,
        }),
      ),
      sendGuard,
      dispatcher,
    },
    guards: [sendGuard],
    retries: new SqsVisibilityBackoff(undefined, undefined, (error) =>
      logger.warn('Could not change message visibility', { error: error as Error }),
    ),
    metrics,
  };
}

export const handler = createNotificationWorker(onColdStart(buildDeps));
