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
