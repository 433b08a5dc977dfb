import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, Context, SQSEvent, SQSRecord } from 'aws-lambda';
import type { Database } from '../../lambdas/shared/adapters/postgres/database';
import { insertNotificationStatement } from '../../lambdas/shared/adapters/postgres/notifications';
import { PostgresPaymentCreationStore } from '../../lambdas/shared/adapters/postgres/payment-creation-store';
import { insertPaymentStatement } from '../../lambdas/shared/adapters/postgres/payments';
import { PostgresRiskAssessmentStore } from '../../lambdas/shared/adapters/postgres/risk-assessment-store';
import { type Config, loadConfig, platformConfigSchema } from '../../lambdas/shared/config';
import type { NotificationChannel } from '../../lambdas/shared/domain/notification';
import { newPendingPayment, type Payment } from '../../lambdas/shared/domain/payment';
import { assessRisk, type RiskAssessment, riskSummary } from '../../lambdas/shared/domain/risk';
import {
  type NotificationRequestedDetail,
  notificationRequestedEvent,
  type OutgoingEvent,
  PaymentCreated,
  paymentEvent,
  RiskAssessed,
} from '../../lambdas/shared/events';
import { toEnvelope } from '../../lambdas/shared/events/envelope';
import { buildSharedResources, type SharedResources } from '../../lambdas/shared/resources';
import type { RetryScheduler } from '../../lambdas/shared/sqs-worker/visibility-backoff';
import type { EventPublisher, PublishOutcome } from '../../lambdas/shared/use-cases/ports';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../../local/aws-identity';
import { createLambdaContext } from '../../local/lambda-context';
import { sqsRecord as deliveredRecord } from '../../local/sqs-record';

// The tests' factories for events, contexts and resources, in one module. Where the local runtime
// already builds a thing the way AWS does (Lambda contexts, SQS records, event envelopes), this wraps it.

/** A Lambda context whose deadline is `remainingMs` away (fixed, so tests are deterministic). */
export function lambdaContext(remainingMs = 30_000): Context {
  return createLambdaContext({ name: 'test', memoryMb: 512 }, () => remainingMs);
}

/** A REST API (v1) proxy event as API Gateway sends it after the authorizer accepted `userId`. */
export function apiEvent(input: {
  method: string;
  resource: string;
  path?: string;
  userId?: string;
  headers?: Record<string, string>;
  body?: string;
  query?: Record<string, string>;
  pathParameters?: Record<string, string>;
}): APIGatewayProxyEvent {
  return {
    httpMethod: input.method,
    resource: input.resource,
    path: input.path ?? input.resource,
    headers: input.headers ?? {},
    multiValueHeaders: {},
    queryStringParameters: input.query ?? null,
    multiValueQueryStringParameters: null,
    pathParameters: input.pathParameters ?? null,
    stageVariables: null,
    body: input.body ?? null,
    isBase64Encoded: false,
    requestContext: {
      requestId: randomUUID(),
      stage: 'test',
      httpMethod: input.method,
      resourcePath: input.resource,
      authorizer: input.userId ? { principalId: input.userId, userId: input.userId } : undefined,
    } as unknown as APIGatewayProxyEvent['requestContext'],
  } as APIGatewayProxyEvent;
}

/** The EventBridge envelope of `event`, as a rule target delivers it (the SQS body). */
export function envelopeOf(event: OutgoingEvent, time = new Date()): string {
  return JSON.stringify(
    toEnvelope({
      id: randomUUID(),
      source: event.source,
      detailType: event.detailType,
      detail: event.detail,
      account: LOCAL_ACCOUNT,
      region: LOCAL_REGION,
      time,
    }),
  );
}

/** An SQS record holding `body`, delivered for the `receiveCount`th time. */
export function rawSqsRecord(
  body: string,
  options: { messageId?: string; receiveCount?: number; queue?: string } = {},
): SQSRecord {
  return deliveredRecord({
    queue: options.queue ?? 'payments',
    messageId: options.messageId ?? randomUUID(),
    receiptHandle: randomUUID(),
    body,
    receiveCount: options.receiveCount ?? 1,
    sentAt: new Date(),
    firstReceivedAt: new Date(),
  });
}

/** An SQS record whose body is the EventBridge event for `event`. */
export function sqsRecord(
  event: OutgoingEvent,
  options: { messageId?: string; receiveCount?: number } = {},
): SQSRecord {
  return rawSqsRecord(envelopeOf(event), options);
}

export function sqsEvent(...records: SQSRecord[]): SQSEvent {
  return { Records: records };
}

/** Remembers which messages were rescheduled instead of calling SQS. */
export class RecordingRetries implements RetryScheduler {
  readonly delayed: string[] = [];
  /** The `atLeastSeconds` each reschedule asked for. */
  readonly atLeast: (number | undefined)[] = [];
  /** Messages made visible at once (poison, on its way to the DLQ). */
  readonly exhausted: string[] = [];
  async delay(record: SQSRecord, atLeastSeconds?: number): Promise<number> {
    this.delayed.push(record.messageId);
    this.atLeast.push(atLeastSeconds);
    return 1;
  }
  async exhaust(record: SQSRecord): Promise<void> {
    this.exhausted.push(record.messageId);
  }
}

/** An EventPublisher that keeps what it accepted; it refuses everything while `refusing` or for `failNext` calls. */
export class RecordingPublisher implements EventPublisher {
  readonly published: OutgoingEvent[] = [];
  refusing = false;
  private failures = 0;

  failNext(calls = 1): void {
    this.failures = calls;
  }

  async publish(events: readonly OutgoingEvent[]): Promise<PublishOutcome> {
    if (this.refusing || this.failures > 0) {
      if (!this.refusing) this.failures--;
      return {
        published: [],
        failed: events.map((e) => ({ eventId: e.eventId, error: 'refused' })),
      };
    }
    this.published.push(...events);
    return { published: events.map((e) => e.eventId), failed: [] };
  }

  ofType(detailType: string): OutgoingEvent[] {
    return this.published.filter((e) => e.detailType === detailType);
  }
}

/** The configuration's defaults, as a function sees them with nothing but a database set. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return { ...loadConfig(platformConfigSchema, { DATABASE_URL: 'postgres://test/test' }), ...overrides };
}

/** The production resources over a test database and a test publisher: what overrides hand a handler. */
export function testResources(
  db: Database,
  publisher: EventPublisher = new RecordingPublisher(),
  config: Partial<Config> = {},
): () => Promise<SharedResources> {
  const resources = buildSharedResources({ config: testConfig(config), db, publisher });
  return async () => resources;
}

/** A PENDING payment and its PaymentCreated outbox row, written by the API's own creation store. */
export async function seedPendingPayment(
  db: Database,
  input: { amount?: number; currency?: 'USD' | 'EUR' | 'JPY' | 'INR'; userId?: string } = {},
): Promise<{ payment: Payment; created: OutgoingEvent }> {
  const payment = newPendingPayment({
    id: randomUUID(),
    userId: input.userId ?? 'user-1',
    body: { amount: input.amount ?? 2500, currency: input.currency ?? 'USD' },
    now: new Date(),
  });
  const created = paymentEvent(PaymentCreated, {
    eventId: randomUUID(),
    occurredAt: new Date(),
    correlationId: `corr-${payment.id.slice(0, 8)}`,
    payment,
  });
  await new PostgresPaymentCreationStore(db).createOnce({
    key: { userId: payment.user_id, key: randomUUID(), requestHash: 'seed' },
    payment,
    event: created,
    response: { status: 201, body: JSON.stringify(payment) },
  });
  return { payment, created };
}

/**
 * A PENDING payment screened as the risk worker would (the platform's rules over its real history), its
 * assessment and RiskAssessed outbox row written by the risk worker's own store: what the payment worker takes.
 */
export async function seedAssessedPayment(
  db: Database,
  input: Parameters<typeof seedPendingPayment>[1] = {},
): Promise<{ payment: Payment; assessment: RiskAssessment; assessed: OutgoingEvent }> {
  const { payment, created } = await seedPendingPayment(db, input);
  const store = new PostgresRiskAssessmentStore(db);
  const assessment: RiskAssessment = {
    ...assessRisk(payment, await store.signals(payment)),
    paymentId: payment.id,
    assessedAt: new Date(),
  };
  const assessed = paymentEvent(RiskAssessed, {
    eventId: randomUUID(),
    occurredAt: assessment.assessedAt,
    correlationId: created.detail.correlation_id as string,
    payment,
    extra: { risk: riskSummary(assessment) },
  });
  await store.record(assessment, payment.user_id, assessed);
  return { payment, assessment, assessed };
}

/** A payment row as it is, in any status (the ops reports read old and stuck ones). */
export async function insertPaymentRow(db: Database, payment: Payment): Promise<void> {
  await insertPaymentStatement(db, payment);
}

/** How many charges the gateway recorded for a payment (its idempotency key). */
export async function chargesFor(db: Database, paymentId: string): Promise<number> {
  const [row] = await db<{ n: number }[]>`
    SELECT count(*)::int AS n FROM gateway_charges WHERE idempotency_key = ${paymentId}`;
  return row?.n ?? 0;
}

/** A random source that replays `values` first, then returns `then`. */
export function scriptedRandom(values: number[], then = 0.99): () => number {
  const queue = [...values];
  return () => queue.shift() ?? then;
}

/** A sent notification row of `payment` on `channel`, as the notification worker stores it. */
export async function insertNotificationRow(
  db: Database,
  input: { paymentId: string; userId: string; channel: NotificationChannel },
): Promise<void> {
  await insertNotificationStatement(db, {
    id: randomUUID(),
    eventId: randomUUID(),
    message: 'test notification',
    sentAt: new Date(),
    ...input,
  });
}

/** A NotificationRequested event as the API publishes it (defaults: a random id, no payload). */
export function notificationRequested(
  overrides: Partial<NotificationRequestedDetail> & { user_id: string },
): OutgoingEvent {
  return notificationRequestedEvent({
    event_id: randomUUID(),
    event_version: 1,
    occurred_at: new Date().toISOString(),
    correlation_id: `corr-${randomUUID()}`,
    event_type: 'order.shipped',
    message: 'Your order has shipped.',
    payload: {},
    ...overrides,
  });
}

/**
 * A terminal payment as the analytics run reads it, with the times it was created and settled, its risk
 * assessment (unless `risk: null`) and `notifications` channels sent; written directly, so times are exact.
 */
export async function seedTerminalPayment(
  db: Database,
  input: {
    createdAt: Date;
    settleAfterMs: number;
    amount?: number;
    currency?: string;
    status?: 'SUCCEEDED' | 'FAILED';
    failureCode?: string | null;
    risk?: { score: number; level: 'normal' | 'elevated' | 'highest'; outcome: 'allow' | 'block' } | null;
    notifications?: number;
    userId?: string;
  },
): Promise<Payment> {
  const status = input.status ?? 'SUCCEEDED';
  const payment: Payment = {
    ...newPendingPayment({
      id: randomUUID(),
      userId: input.userId ?? 'user-analytics',
      body: { amount: input.amount ?? 2500, currency: (input.currency ?? 'USD') as 'USD' },
      now: input.createdAt,
    }),
    status,
    failure_code: status === 'FAILED' ? (input.failureCode ?? 'card_declined') : null,
    failure_reason: status === 'FAILED' ? 'seeded' : null,
    updated_at: new Date(input.createdAt.getTime() + input.settleAfterMs).toISOString(),
  };
  await insertPaymentStatement(db, payment);
  const risk = input.risk === undefined ? { score: 10, level: 'normal', outcome: 'allow' } : input.risk;
  if (risk) {
    await db`
      INSERT INTO risk_assessments (payment_id, user_id, score, level, outcome, rules_version, rules, assessed_at)
      VALUES (${payment.id}, ${payment.user_id}, ${risk.score}, ${risk.level}, ${risk.outcome}, 'seed',
              '[]'::jsonb, ${input.createdAt})`;
  }
  const channels = ['email', 'sms'].slice(0, input.notifications ?? 0);
  for (const channel of channels) {
    await db`
      INSERT INTO notifications (id, payment_id, user_id, event_id, channel, status, message, sent_at)
      VALUES (${randomUUID()}, ${payment.id}, ${payment.user_id}, ${randomUUID()}, ${channel}, 'sent', 'seeded',
              now())`;
  }
  return payment;
}
