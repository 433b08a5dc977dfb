import { METRICS } from '../../lib/names';
import { RecordingNotifier } from '../shared/adapters/notifier/recording-notifier';
import { PostgresNotificationStore } from '../shared/adapters/postgres/notification-store';
import { PaymentFailed, PaymentSucceeded } from '../shared/events';
import { logger } from '../shared/observability';
import { defineWorker } from '../shared/sqs-worker/define-worker';
import { type NotifyDeps, notifyPaymentOutcome } from '../shared/use-cases/notify-payment-outcome';

/** SQS (PaymentSucceeded | PaymentFailed) -> one email and one SMS per payment -> NotificationSent. */
export const notificationWorker = defineWorker({
  accepts: [PaymentSucceeded, PaymentFailed],
  sideEffects: { sendGuard: 'notification-send' },
  ports: ({ db, dispatcher, guards, clock, ids }): NotifyDeps => ({
    store: new PostgresNotificationStore(db),
    notifier: new RecordingNotifier((m) =>
      logger.info('Notification recorded (not sent: recording provider)', {
        channel: m.channel,
        user_id: m.userId,
        provider_message_id: m.providerMessageId,
      }),
    ),
    sendGuard: guards.sendGuard,
    dispatcher,
    clock,
    ids,
  }),
  handle: async (detail, ports) => {
    const result = await notifyPaymentOutcome(ports, detail);
    return {
      message: 'Payment outcome notified',
      fields: { payment_id: detail.payment.id, ...result },
      count: { [METRICS.notificationsSent]: result.stored.length },
    };
  },
});

export const handler = notificationWorker.handler;
