import type { Notification, NotificationChannel } from '../../domain/notification';
import type { Database } from './database';

// The only module that reads or writes the `notifications` table.

interface NotificationRow {
  id: string;
  payment_id: string;
  channel: NotificationChannel;
  status: 'sent';
  created_at: Date;
  sent_at: Date;
}

const MAX_LISTED = 100;

export async function listNotifications(
  db: Database,
  q: { userId: string; paymentId?: string },
): Promise<Notification[]> {
  const rows = await db<NotificationRow[]>`
    SELECT id, payment_id, channel, status, created_at, sent_at FROM notifications
    WHERE user_id = ${q.userId} ${q.paymentId ? db`AND payment_id = ${q.paymentId}` : db``}
    ORDER BY created_at DESC, channel
    LIMIT ${MAX_LISTED}`;
  return rows.map((r) => ({
    ...r,
    created_at: r.created_at.toISOString(),
    sent_at: r.sent_at.toISOString(),
  }));
}
