import type {
  NewEventNotification,
  NewNotification,
  Notification,
  NotificationChannel,
} from '../../domain/notification';
import type { NotificationListQuery } from '../../use-cases/ports';
import type { Queryable } from './database';

// The only module that reads or writes the `notifications` table.

interface NotificationRow {
  id: string;
  payment_id: string | null;
  event_id: string | null;
  channel: NotificationChannel;
  status: 'sent';
  created_at: Date;
  sent_at: Date;
}

/** Newest first, keyset-paged (index notifications_user_keyset_idx); one extra row says a next page exists. */
export async function listNotifications(db: Queryable, q: NotificationListQuery): Promise<Notification[]> {
  const rows = await db<NotificationRow[]>`
    SELECT id, payment_id, processed_event_id AS event_id, channel, status, created_at, sent_at
    FROM notifications
    WHERE user_id = ${q.userId}
      ${q.paymentId ? db`AND payment_id = ${q.paymentId}` : db``}
      ${q.eventId ? db`AND processed_event_id = ${q.eventId}` : db``}
      ${q.after ? db`AND (created_at, id) < (${q.after.createdAt}::timestamptz, ${q.after.id}::uuid)` : db``}
    ORDER BY created_at DESC, id DESC
    LIMIT ${q.limit + 1}`;
  return rows.map((r) => ({
    ...r,
    created_at: r.created_at.toISOString(),
    sent_at: r.sent_at.toISOString(),
  }));
}

/**
 * Stores a sent notification, as a statement fragment RETURNING its id; none when this payment already
 * has one on this channel.
 */
export function insertNotificationStatement(sql: Queryable, n: NewNotification) {
  return sql`
    INSERT INTO notifications (id, payment_id, user_id, event_id, channel, status, message, sent_at)
    VALUES (${n.id}, ${n.paymentId}, ${n.userId}, ${n.eventId}, ${n.channel}, 'sent', ${n.message}, ${n.sentAt})
    ON CONFLICT (payment_id, channel) DO NOTHING
    RETURNING id`;
}

/** The channels on which this payment's user was already notified. */
export async function notifiedChannels(db: Queryable, paymentId: string): Promise<NotificationChannel[]> {
  const rows = await db<{ channel: NotificationChannel }[]>`
    SELECT channel FROM notifications WHERE payment_id = ${paymentId}`;
  return rows.map((r) => r.channel);
}

/** Stores a notification sent for a requested event, RETURNING its id; none when that channel has one. */
export function insertEventNotificationStatement(sql: Queryable, n: NewEventNotification) {
  return sql`
    INSERT INTO notifications (id, processed_event_id, user_id, event_id, channel, status, message, sent_at)
    VALUES (${n.id}, ${n.processedEventId}, ${n.userId}, ${n.processedEventId}, ${n.channel}, 'sent',
            ${n.message}, ${n.sentAt})
    ON CONFLICT (processed_event_id, channel) DO NOTHING
    RETURNING id`;
}

/** The channels on which this requested event's user was already notified. */
export async function eventNotifiedChannels(db: Queryable, eventId: string): Promise<NotificationChannel[]> {
  const rows = await db<{ channel: NotificationChannel }[]>`
    SELECT channel FROM notifications WHERE processed_event_id = ${eventId}`;
  return rows.map((r) => r.channel);
}
