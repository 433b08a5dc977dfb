export {
  type EventContract,
  type OutgoingEvent,
  type PaymentSnapshot,
  paymentSnapshotSchema,
} from './contract';
export {
  NotificationRequested,
  type NotificationRequestedDetail,
  notificationRequestedEvent,
} from './notification-requested';
export { NotificationSent, type NotificationSentDetail } from './notification-sent';
export { PaymentCreated, type PaymentCreatedDetail } from './payment-created';
export { paymentEvent } from './payment-event';
export { PaymentFailed, type PaymentFailedDetail } from './payment-failed';
export { PaymentSucceeded, type PaymentSucceededDetail } from './payment-succeeded';
export { RiskAssessed, type RiskAssessedDetail } from './risk-assessed';
