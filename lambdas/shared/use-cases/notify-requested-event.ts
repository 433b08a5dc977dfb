import { eventDestinations } from '../domain/notification-event';
import { type NotificationRequestedDetail, NotificationSent } from '../events';
import { renderEventNotification } from './notification-templates';
import type { EventNotificationStore } from './ports';
import { type NotifyResult, type SendDeps, sendEachChannelOnce } from './send-each-channel';

/** The same guard as payment notifications (key: `event:<event id>:<channel>`). */
export interface NotifyEventDeps extends SendDeps {
  eventStore: EventNotificationStore;
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
  const sent = await sendEachChannelOnce(deps, channels, done, (channel) => ({
    key: `event:${eventId}:${channel}`,
    userId: detail.user_id,
    address: address[channel],
    message: renderEventNotification(channel, detail),
    eventFor: (notification) => {
      const notice = NotificationSent.schema.parse({
        event_id: ids.uuid(),
        event_version: 1,
        occurred_at: clock.now().toISOString(),
        correlation_id: detail.correlation_id,
        requested_event: { id: eventId, event_type: detail.event_type },
        notification: { id: notification.id, channel, sent_at: notification.sentAt },
      });
      return {
        eventId: notice.event_id,
        source: NotificationSent.source,
        detailType: NotificationSent.detailType,
        detail: notice as Record<string, unknown>,
      };
    },
    record: (notification, event) =>
      eventStore.record(
        { ...notification, processedEventId: eventId, userId: detail.user_id, channel },
        event,
      ),
  }));
  return { ...sent, firstDelivery };
}
