import { NOTIFICATION_CHANNELS, type NotificationChannel } from '../domain/notification';
import {
  NotificationSent,
  type OutgoingEvent,
  type PaymentFailedDetail,
  type PaymentSucceededDetail,
  paymentEvent,
} from '../events';
import { renderNotification } from './notification-templates';
import type {
  Clock,
  IdGenerator,
  NotificationStore,
  Notifier,
  OutboxDispatcher,
  SideEffectGuard,
} from './ports';

export interface NotifyDeps {
  store: NotificationStore;
  notifier: Notifier;
  /** Guards each send (Powertools idempotency, key: payment id + channel). */
  sendGuard: SideEffectGuard;
  dispatcher: OutboxDispatcher;
  clock: Clock;
  ids: IdGenerator;
}

export interface NotifyResult {
  /** Channels stored by this call (each with its NotificationSent event). */
  stored: NotificationChannel[];
  /** Channels already notified by an earlier delivery. */
  skipped: NotificationChannel[];
}

/** Tells the user about a terminal payment once per channel, whatever is redelivered. */
export async function notifyPaymentOutcome(
  deps: NotifyDeps,
  detail: PaymentSucceededDetail | PaymentFailedDetail,
): Promise<NotifyResult> {
  const { store, clock, ids } = deps;
  const payment = detail.payment;
  const done = new Set(await store.notifiedChannels(payment.id));
  const result: NotifyResult = { stored: [], skipped: [] };
  const written: OutgoingEvent[] = [];
  for (const channel of NOTIFICATION_CHANNELS) {
    if (done.has(channel)) {
      result.skipped.push(channel);
      continue;
    }
    const message = renderNotification(channel, payment);
    const key = `${payment.id}:${channel}`;
    const sent = await deps.sendGuard.once(key, async () => {
      const { providerMessageId } = await deps.notifier.send({
        channel,
        userId: payment.user_id,
        idempotencyKey: key,
        ...message,
      });
      return { providerMessageId, sentAt: clock.now().toISOString() };
    });
    const notificationId = ids.uuid();
    const event = paymentEvent(NotificationSent, {
      eventId: ids.uuid(),
      occurredAt: clock.now(),
      correlationId: detail.correlation_id,
      payment: {
        ...payment,
        failure_code: payment.failure_code ?? null,
        failure_reason: payment.failure_reason ?? null,
      },
      extra: { notification: { id: notificationId, channel, sent_at: sent.sentAt } },
    });
    const stored = await store.record(
      {
        id: notificationId,
        paymentId: payment.id,
        userId: payment.user_id,
        eventId: detail.event_id,
        channel,
        message: message.subject ? `${message.subject}\n\n${message.body}` : message.body,
        sentAt: new Date(sent.sentAt),
      },
      event,
    );
    if (stored) {
      written.push(event);
      result.stored.push(channel);
    } else {
      result.skipped.push(channel);
    }
  }
  await deps.dispatcher.dispatch(written);
  return result;
}
