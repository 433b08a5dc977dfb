export const NOTIFICATION_CHANNELS = ['email', 'sms'] as const;
export type NotificationChannel = (typeof NOTIFICATION_CHANNELS)[number];

/** A notification as it goes over the wire. */
export interface Notification {
  id: string;
  /** The payment it is about; null for a requested notification event. */
  payment_id: string | null;
  /** The requested notification event (`POST /events`) it answers; null for a payment's. */
  event_id: string | null;
  channel: NotificationChannel;
  status: 'sent';
  created_at: string;
  sent_at: string;
}

/** A notification that was just sent, to be stored. */
export interface NewNotification {
  id: string;
  paymentId: string;
  userId: string;
  /** The outcome event it answers. */
  eventId: string;
  channel: NotificationChannel;
  message: string;
  sentAt: Date;
}

/** A notification sent for a requested notification event, to be stored. */
export interface NewEventNotification {
  id: string;
  /** The processed event it answers (also its `event_id`). */
  processedEventId: string;
  userId: string;
  channel: NotificationChannel;
  message: string;
  sentAt: Date;
}
