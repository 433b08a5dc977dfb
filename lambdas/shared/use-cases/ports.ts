import type { Balance } from '../domain/balance';
import type { Notification } from '../domain/notification';
import type { Payment, PaymentStatus } from '../domain/payment';
import type { OutgoingEvent } from '../events';

/** Result of one publish call: which events the bus accepted and which it refused. */
export interface PublishOutcome {
  published: string[];
  failed: { eventId: string; error: string }[];
}

/** Puts events on the bus (EventBridge in AWS and locally). */
export interface EventPublisher {
  publish(events: readonly OutgoingEvent[]): Promise<PublishOutcome>;
}

/** Publishes outbox rows that were just committed; whatever fails stays for the outbox relay. */
export interface OutboxDispatcher {
  dispatch(eventIds: readonly string[]): Promise<void>;
}

export interface Clock {
  now(): Date;
}

export interface IdGenerator {
  uuid(): string;
}

export const systemClock: Clock = { now: () => new Date() };

/** What `POST /payments` needs inside its one transaction (idempotency record, payment, outbox row). */
export interface PaymentCreationTx {
  /** Undefined when the key is now ours; the stored record when the key was used before. */
  claimIdempotencyKey(claim: {
    userId: string;
    key: string;
    requestHash: string;
  }): Promise<{ requestHash: string; status: number; body: string } | undefined>;
  completeIdempotencyKey(record: {
    userId: string;
    key: string;
    paymentId: string;
    status: number;
    body: string;
  }): Promise<void>;
  insertPayment(payment: Payment): Promise<void>;
  enqueueEvent(event: OutgoingEvent): Promise<void>;
}

export interface PaymentCreationStore {
  /** Runs `work` in one database transaction; a concurrent holder of the same key that does not finish in time is `idempotency_key_in_use`. */
  inTransaction<T>(work: (tx: PaymentCreationTx) => Promise<T>): Promise<T>;
}

/** Read side of the API. */
export interface PaymentQueries {
  findPayment(id: string): Promise<Payment | undefined>;
  listPayments(query: PaymentListQuery): Promise<Payment[]>;
  listNotifications(query: { userId: string; paymentId?: string }): Promise<Notification[]>;
  balancesForUser(userId: string): Promise<Balance[]>;
  /** Throws when the database cannot answer. */
  ping(): Promise<void>;
}

export interface PaymentListQuery {
  userId: string;
  status?: PaymentStatus;
  from?: string;
  to?: string;
  limit: number;
  /** Keyset position: the last payment of the previous page. */
  after?: { createdAt: string; id: string };
}

/** A charge as the payment gateway reports it. */
export type ChargeResult =
  | { outcome: 'succeeded'; chargeId: string }
  | { outcome: 'declined'; chargeId: string; code: string; reason: string };

export interface ChargeRequest {
  /** The payment id: the gateway answers a repeated key with the first result and never charges twice. */
  idempotencyKey: string;
  amount: number;
  currency: string;
}

/** The card processor. `charge` throws GatewayUnavailableError (nothing happened) or GatewayTimeoutError (unknown). */
export interface PaymentGateway {
  charge(request: ChargeRequest): Promise<ChargeResult>;
  /** The gateway's record of the charge made with this key, if any: how a timeout is resolved. */
  getCharge(idempotencyKey: string): Promise<ChargeResult | undefined>;
}

export type NotificationChannelName = 'email' | 'sms';

export interface OutgoingMessage {
  channel: NotificationChannelName;
  /** Who to reach; the provider resolves the address (SES) or number (SNS) from the user id. */
  userId: string;
  subject?: string;
  body: string;
  /** Stable per payment and channel, for providers that deduplicate too. */
  idempotencyKey: string;
}

/** Sends an email or SMS (SES / SNS in the future; the default provider records what it would send). */
export interface Notifier {
  send(message: OutgoingMessage): Promise<{ providerMessageId: string }>;
}

/** Runs an external side effect at most once per key; a repeat with the same key gets the first result. */
export interface SideEffectGuard {
  once<T extends Record<string, unknown>>(key: string, effect: () => Promise<T>): Promise<T>;
}
