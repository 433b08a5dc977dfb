import { eventDestinations } from '../domain/notification-event';
import { type NotificationRequestedDetail, NotificationSent, type OutgoingEvent } from '../events';
import { renderEventNotification } from './notification-templates';
import type { NotifyResult } from './notify-payment-outcome';
import type {
  Clock,
  EventNotificationStore,
  IdGenerator,
  Notifier,
  OutboxDispatcher,
  SideEffectGuard,
} from './ports';

export interface NotifyEventDeps {
  eventStore: EventNotificationStore;
  notifier: Notifier;
  /** The same guard as payment notifications (key: `event:<event id>:<channel>`). */
  sendGuard: SideEffectGuard;
  dispatcher: OutboxDispatcher;
  clock: Clock;
  ids: IdGenerator;
}

/**
 * Processes a requested notification event once, whatever is redelivered: the event is stored under its
 * unique id, then each of its channels is sent at most once and stored with its NotificationSent event.
 */
export async function notifyRequestedEvent(
  deps: NotifyEventDeps,
  detail: NotificationRequestedDetail,
): Promise<NotifyResult & { firstDelivery: boolean }> {
  const { eventStore, clock, ids } = deps;
  const eventId = detail.event_id;
  const firstDelivery = await eventStore.recordProcessed({
    id: eventId,
    userId: detail.user_id,
    eventType: detail.event_type,
    message: detail.message,
    payload: detail.payload,
    correlationId: detail.correlation_id,
    acceptedAt: new Date(detail.occurred_at),
  });
  const { channels, address } = eventDestinations(detail.payload);
  const done = new Set(await eventStore.notifiedChannels(eventId));
  const result = { stored: [], skipped: [], firstDelivery } as NotifyResult & { firstDelivery: boolean };
  const written: OutgoingEvent[] = [];
  for (const channel of channels) {
    if (done.has(channel)) {
      result.skipped.push(channel);
      continue;
    }
    const message = renderEventNotification(channel, detail);
    const key = `event:${eventId}:${channel}`;
    const sent = await deps.sendGuard.once(key, async () => {
      const { providerMessageId } = await deps.notifier.send({
        channel,
        userId: detail.user_id,
        ...(address[channel] ? { address: address[channel] } : {}),
        idempotencyKey: key,
        ...message,
      });
      return { providerMessageId, sentAt: clock.now().toISOString() };
    });
    const notificationId = ids.uuid();
    const eventNotice = NotificationSent.schema.parse({
      event_id: ids.uuid(),
      event_version: 1,
      occurred_at: clock.now().toISOString(),
      correlation_id: detail.correlation_id,
      requested_event: { id: eventId, event_type: detail.event_type },
      notification: { id: notificationId, channel, sent_at: sent.sentAt },
    });
    const event: OutgoingEvent = {
      eventId: eventNotice.event_id,
      source: NotificationSent.source,
      detailType: NotificationSent.detailType,
      detail: eventNotice as Record<string, unknown>,
    };
    const stored = await eventStore.record(
      {
        id: notificationId,
        processedEventId: eventId,
        userId: detail.user_id,
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
