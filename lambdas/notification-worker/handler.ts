import { METRICS } from '../../lib/names';
import { RecordingNotifier } from '../shared/adapters/notifier/recording-notifier';
import { PostgresEventNotificationStore } from '../shared/adapters/postgres/event-notification-store';
import { PostgresNotificationStore } from '../shared/adapters/postgres/notification-store';
import {
  NotificationRequested,
  type NotificationRequestedDetail,
  PaymentFailed,
  type PaymentFailedDetail,
  PaymentSucceeded,
  type PaymentSucceededDetail,
} from '../shared/events';
import { logger } from '../shared/observability';
import { defineWorker } from '../shared/sqs-worker/define-worker';
import { type NotifyDeps, notifyPaymentOutcome } from '../shared/use-cases/notify-payment-outcome';
import { type NotifyEventDeps, notifyRequestedEvent } from '../shared/use-cases/notify-requested-event';

type Detail = PaymentSucceededDetail | PaymentFailedDetail | NotificationRequestedDetail;

/**
 * SQS (PaymentSucceeded | PaymentFailed) -> one email and one SMS per payment -> NotificationSent;
 * SQS NotificationRequested -> the processed event, once, and its channels once each -> NotificationSent.
 */
export const notificationWorker = defineWorker<Detail, NotifyDeps & NotifyEventDeps, 'sendGuard'>({
  accepts: [PaymentSucceeded, PaymentFailed, NotificationRequested],
  sideEffects: { sendGuard: 'notification-send' },
  ports: ({ db, dispatcher, guards, clock, ids }) => ({
    store: new PostgresNotificationStore(db),
    eventStore: new PostgresEventNotificationStore(db),
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
    if ('payment' in detail) {
      const result = await notifyPaymentOutcome(ports, detail);
      return {
        message: 'Payment outcome notified',
        fields: { payment_id: detail.payment.id, ...result },
        count: { [METRICS.notificationsSent]: result.stored.length },
      };
    }
    const result = await notifyRequestedEvent(ports, detail);
    return {
      message: 'Notification event processed',
      fields: { event_id: detail.event_id, event_type: detail.event_type, ...result },
      count: {
        [METRICS.notificationsSent]: result.stored.length,
        [METRICS.notificationEventsProcessed]: result.firstDelivery ? 1 : 0,
      },
    };
  },
});

export const handler = notificationWorker.handler;
