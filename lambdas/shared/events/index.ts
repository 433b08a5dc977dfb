import { NotificationSent } from './notification-sent';
import { PaymentCreated } from './payment-created';
import { PaymentFailed } from './payment-failed';
import { PaymentSucceeded } from './payment-succeeded';

export { EVENT_SOURCES, type PaymentSnapshot, paymentSnapshotSchema } from './envelope';
export { NotificationSent, type NotificationSentDetail } from './notification-sent';
export { PaymentCreated, type PaymentCreatedDetail } from './payment-created';
export { PaymentFailed, type PaymentFailedDetail } from './payment-failed';
export { PaymentSucceeded, type PaymentSucceededDetail } from './payment-succeeded';

export const ALL_EVENTS = [PaymentCreated, PaymentSucceeded, PaymentFailed, NotificationSent] as const;

/** An event ready for the outbox: the EventBridge entry minus the bus name. */
export interface OutgoingEvent {
  eventId: string;
  source: string;
  detailType: string;
  detail: Record<string, unknown>;
}

export { paymentEvent } from './build';
