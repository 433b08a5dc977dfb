import { NOTIFICATION_CHANNELS } from '../domain/notification';
import {
  NotificationSent,
  type PaymentFailedDetail,
  type PaymentSucceededDetail,
  paymentEvent,
} from '../events';
import { renderNotification } from './notification-templates';
import type { NotificationStore } from './ports';
import { type NotifyResult, type SendDeps, sendEachChannelOnce } from './send-each-channel';

export interface NotifyDeps extends SendDeps {
  store: NotificationStore;
}

/** Tells the user about a terminal payment once per channel (guard key: payment id + channel). */
export async function notifyPaymentOutcome(
  deps: NotifyDeps,
  detail: PaymentSucceededDetail | PaymentFailedDetail,
): Promise<NotifyResult> {
  const { store, clock, ids } = deps;
  const payment = detail.payment;
  const done = new Set(await store.notifiedChannels(payment.id));
  return sendEachChannelOnce(deps, NOTIFICATION_CHANNELS, done, (channel) => ({
    key: `${payment.id}:${channel}`,
    userId: payment.user_id,
    message: renderNotification(channel, payment),
    eventFor: (notification) =>
      paymentEvent(NotificationSent, {
        eventId: ids.uuid(),
        occurredAt: clock.now(),
        correlationId: detail.correlation_id,
        payment: {
          ...payment,
          failure_code: payment.failure_code ?? null,
          failure_reason: payment.failure_reason ?? null,
        },
        extra: { notification: { id: notification.id, channel, sent_at: notification.sentAt } },
      }),
    record: (notification, event) =>
      store.record(
        {
          ...notification,
          paymentId: payment.id,
          userId: payment.user_id,
          eventId: detail.event_id,
          channel,
        },
        event,
      ),
  }));
}
