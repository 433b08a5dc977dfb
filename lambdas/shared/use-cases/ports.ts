import type { ExportRow, ExportTable } from '../domain/analytics';
import type { Balance } from '../domain/balance';
import type {
  NewEventNotification,
  NewNotification,
  Notification,
  NotificationChannel,
} from '../domain/notification';
import type { ProcessedEvent } from '../domain/notification-event';
import type { Payment, PaymentStatus, Settlement } from '../domain/payment';
import type { RiskAssessment, RiskLevel, RiskSignals, RiskSummary } from '../domain/risk';
import type { OutgoingEvent } from '../events';

// The use cases' ports: what each needs from the outside world, with its contract. Adapters implement
// them (lambdas/shared/adapters); the use cases import nothing else from outside the domain.

export interface Clock {
  now(): Date;
}

export interface IdGenerator {
  uuid(): string;
}

/** Result of one publish call: which events the bus accepted and which it refused. */
export interface PublishOutcome {
  published: string[];
  failed: { eventId: string; error: string }[];
}

/** Puts events on the bus (EventBridge in AWS and locally). Never throws for a refused event: reports it. */
export interface EventPublisher {
  publish(events: readonly OutgoingEvent[]): Promise<PublishOutcome>;
}

/**
 * Publishes events whose outbox rows the caller just committed, as the caller built them (no re-read).
 * Never throws: whatever fails stays in the outbox for the relay.
 */
export interface OutboxDispatcher {
  dispatch(events: readonly OutgoingEvent[]): Promise<void>;
}

/** The outbox table as the publishers see it (rows are written inside each producer's own transaction). */
export interface OutboxStore {
  /**
   * One relay cycle: takes up to `limit` due rows, oldest first, that no other relay holds (SKIP LOCKED),
   * hands them to `publish` while holding them, then marks the published ones and backs off the refused
   * ones, all in one transaction. A crash anywhere leaves every row due again at once (published twice at
   * worst, which consumers absorb). Returns how many rows it took and what `publish` reported.
   */
  publishDue(
    limit: number,
    publish: (events: readonly OutgoingEvent[]) => Promise<PublishOutcome>,
  ): Promise<PublishOutcome & { claimed: number }>;
  /** Whether any row is due: a cheap probe an idle relay polls before opening a transaction. */
  anyDue(): Promise<boolean>;
  /** Age in seconds of the oldest unpublished row (0 when there is none): the relay's health metric. */
  oldestUnpublishedSeconds(): Promise<number>;
  markPublished(eventIds: readonly string[]): Promise<void>;
  /** Counts the attempt and schedules the next one with backoff. */
  recordFailures(failures: readonly { eventId: string; error: string }[]): Promise<void>;
}

/** An answer as first sent, kept with the idempotency key to replay it byte for byte. */
export interface StoredResponse {
  status: number;
  body: string;
}

/** What `POST /payments` writes, all of it or nothing. */
export interface PaymentCreation {
  key: { userId: string; key: string; requestHash: string };
  payment: Payment;
  event: OutgoingEvent;
  response: StoredResponse;
}

export interface PaymentCreationStore {
  /**
   * Writes the key's record, the PENDING payment and its outbox event atomically; undefined when they
   * were written. When (user, key) was used before, writes nothing and returns what is stored. A
   * concurrent holder of the same key that does not finish in time: `IdempotencyKeyInUseError`.
   */
  createOnce(creation: PaymentCreation): Promise<(StoredResponse & { requestHash: string }) | undefined>;
}

export interface PaymentListQuery {
  userId: string;
  status?: PaymentStatus;
  from?: string;
  to?: string;
  /** Only payments assessed at this level (unassessed ones never match). */
  riskLevel?: RiskLevel;
  limit: number;
  /** Keyset position: the last payment of the previous page. */
  after?: KeysetPosition;
}

/** Where a page of a newest-first listing ends: its last row. */
export interface KeysetPosition {
  createdAt: string;
  id: string;
}

export interface NotificationListQuery {
  userId: string;
  paymentId?: string;
  /** The notification event (POST /events) the notifications answer. */
  eventId?: string;
  limit: number;
  /** Keyset position: the last notification of the previous page. */
  after?: KeysetPosition;
}

/** A payment as the API shows it: with its risk assessment, null until the risk worker made one. */
export type PaymentView = Payment & { risk: RiskSummary | null };

/** Read side of the API. */
export interface PaymentQueries {
  findPayment(id: string): Promise<PaymentView | undefined>;
  /** Newest first; up to `limit + 1` rows, so the caller knows whether a next page exists. */
  listPayments(query: PaymentListQuery): Promise<PaymentView[]>;
  /** The user's notifications, newest first, up to `limit + 1` (the extra one says a next page exists). */
  listNotifications(query: NotificationListQuery): Promise<Notification[]>;
  balancesForUser(userId: string): Promise<Balance[]>;
  /** Throws when the database cannot answer. */
  ping(): Promise<void>;
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

export interface OutgoingMessage {
  channel: NotificationChannel;
  /** Who to reach; unless `address` is given, the provider resolves the address (SES) or number (SNS) from it. */
  userId: string;
  /** The email address or E.164 number to use instead of the user's own (a requested event may name one). */
  address?: string;
  subject?: string;
  body: string;
  /** Stable per payment (or requested event) and channel, for providers that deduplicate too. */
  idempotencyKey: string;
}

/** Sends an email or SMS (SES / SNS in the future; the default provider records what it would send). */
export interface Notifier {
  send(message: OutgoingMessage): Promise<{ providerMessageId: string }>;
}

/**
 * Runs an external side effect at most once per key; a repeat with the same key gets the first result.
 * While another attempt holds the key, `once` throws `SideEffectInProgressError`.
 */
export interface SideEffectGuard {
  once<T extends Record<string, unknown>>(key: string, effect: () => Promise<T>): Promise<T>;
}

/** What the payment worker reads and writes. */
export interface PaymentSettlementStore {
  findPayment(id: string): Promise<Payment | undefined>;
  /** The payment's stored risk assessment (what the charge is allowed by), if it has one. */
  findAssessment(paymentId: string): Promise<RiskAssessment | undefined>;
  /**
   * In ONE transaction: the conditional move out of PENDING and, only for the caller that won it,
   * the ledger posting (when SUCCEEDED) and the outcome event made by `eventFor`.
   * Undefined when another delivery settled the payment first.
   */
  settle(
    paymentId: string,
    settlement: Settlement,
    eventFor: (settled: Payment) => OutgoingEvent,
  ): Promise<{ payment: Payment; eventId: string } | undefined>;
}

/** What the notification worker reads and writes. */
export interface NotificationStore {
  notifiedChannels(paymentId: string): Promise<NotificationChannel[]>;
  /** In ONE transaction: the notification and, only if it is new, its NotificationSent event. False if it existed. */
  record(notification: NewNotification, event: OutgoingEvent): Promise<boolean>;
}

/** What the risk worker reads and writes. */
export interface RiskAssessmentStore {
  findPayment(id: string): Promise<Payment | undefined>;
  findAssessment(paymentId: string): Promise<RiskAssessment | undefined>;
  /** The user's history before the payment, as the rules read it. Not locked: see "Risk screening". */
  signals(payment: Payment): Promise<RiskSignals>;
  /**
   * In ONE transaction: the assessment and, only if it is new, its RiskAssessed event. False when another
   * delivery assessed the payment first (then nothing is written).
   */
  record(assessment: RiskAssessment, userId: string, event: OutgoingEvent): Promise<boolean>;
}

/** What retention purges, each by its own age rule (docs/architecture.md, "Retention"). */
export type RetentionKind =
  | 'idempotencyKeys'
  | 'workerIdempotencyRecords'
  | 'publishedOutboxRows'
  | 'analyticsRuns';

/** The tables retention purges. Each call is one short transaction that never waits on a locked row. */
export interface RetentionStore {
  /** Deletes up to `limit` rows of `kind` older than `cutoff` (oldest first); returns how many it deleted. */
  purge(kind: RetentionKind, cutoff: Date, limit: number): Promise<number>;
  /** How many rows of `kind` are older than `cutoff` (a dry run). */
  count(kind: RetentionKind, cutoff: Date): Promise<number>;
}

/** A notification event as the worker stores it once processed. */
export interface NewProcessedEvent {
  id: string;
  userId: string;
  eventType: string;
  message: string;
  payload: Record<string, unknown>;
  correlationId: string;
  acceptedAt: Date;
}

/** What the notification worker reads and writes for requested notification events. */
export interface EventNotificationStore {
  /** Stores the event unless its id is stored already (`ON CONFLICT DO NOTHING`); true if this call wrote it. */
  recordProcessed(event: NewProcessedEvent): Promise<boolean>;
  notifiedChannels(eventId: string): Promise<NotificationChannel[]>;
  /** In ONE transaction: the notification and, only if it is new, its NotificationSent event. False if it existed. */
  record(notification: NewEventNotification, event: OutgoingEvent): Promise<boolean>;
}

export interface EventListQuery {
  userId: string;
  eventType?: string;
  from?: string;
  to?: string;
  limit: number;
  /** Keyset position: the last event of the previous page (its accepted time and id). */
  after?: { createdAt: string; id: string };
}

/** Read side of the notification events API. */
export interface EventQueries {
  /** Any user's event by id (the use case checks ownership); undefined until processed. */
  findEvent(id: string): Promise<(ProcessedEvent & { user_id: string }) | undefined>;
  /** Newest accepted first; up to `limit + 1` rows, so the caller knows whether a next page exists. */
  listEvents(query: EventListQuery): Promise<ProcessedEvent[]>;
  notificationsOf(userId: string, eventId: string): Promise<Notification[]>;
}

/** Where the incremental analytics run reads changes from, each by its own cursor (docs/architecture.md, "Analytics"). */
export type AnalyticsSource = 'payments' | 'notifications';

/** What one batch of the analytics run did. */
export interface AnalyticsBatch {
  /** Terminal payments whose facts were rewritten. */
  payments: number;
  /** Days (YYYY-MM-DD, UTC) whose stats were recomputed and exports marked stale. */
  days: string[];
}

/** The analytics tables. Every write is an upsert keyed by payment, or by day x currency: re-runs write the same rows. */
export interface AnalyticsStore {
  /**
   * In ONE transaction: up to `limit` of `source`'s changes after its cursor and before `before`, their
   * payments' facts upserted, the stats of their (day, currency) recomputed, the days marked stale, the cursor
   * moved past them. A concurrent run waits for the batch (the cursor row is locked), then reads after it.
   * `done` when fewer than `limit` changes were left.
   */
  advance(source: AnalyticsSource, before: Date, limit: number): Promise<AnalyticsBatch & { done: boolean }>;
  /**
   * The same rewrite for the terminal payments that changed in [from, to), after `after` (a keyset cursor the
   * caller keeps); the cursors are left alone. `next` is undefined when the range is done.
   */
  backfill(
    range: { from: Date; to: Date },
    after: { at: Date; id: string } | undefined,
    limit: number,
  ): Promise<AnalyticsBatch & { next?: { at: Date; id: string } }>;
  /** Days whose exports are stale, oldest first, with the mark's version. */
  staleExports(): Promise<{ day: string; version: number }[]>;
  /** Clears a day's mark unless a newer batch marked it again meanwhile. */
  clearStale(day: string, version: number): Promise<void>;
  /** One day of an exported table, in a stable order. */
  exportRows(table: ExportTable, day: string): Promise<ExportRow[]>;
  recordRun(run: {
    kind: 'incremental' | 'backfill';
    from?: Date;
    to: Date;
    payments: number;
    days: number;
    complete: boolean;
  }): Promise<void>;
}

/**
 * The Parquet exports: S3 in AWS, files under the local runtime's data directory. `write` replaces one day of
 * one table whole (readers see the previous file or the new one, never a part), so writing a day again is
 * harmless.
 */
export interface AnalyticsExports {
  write(table: ExportTable, day: string, rows: ExportRow[]): Promise<void>;
}
