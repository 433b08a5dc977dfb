export const NOTIFICATION_CHANNELS = ['email', 'sms'] as const;
export type NotificationChannel = (typeof NOTIFICATION_CHANNELS)[number];

/** A notification as it goes over the wire. */
export interface Notification {
  id: string;
  payment_id: string;
  channel: NotificationChannel;
  status: 'sent';
  created_at: string;
  sent_at: string;
}
