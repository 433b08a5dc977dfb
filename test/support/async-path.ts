import { randomUUID } from 'node:crypto';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import type { Database } from '../../lambdas/shared/adapters/postgres/database';
import { enqueueEvent } from '../../lambdas/shared/adapters/postgres/outbox';
import { insertPayment } from '../../lambdas/shared/adapters/postgres/payments';
import type { RetryScheduler } from '../../lambdas/shared/adapters/sqs/visibility-backoff';
import { newPendingPayment, type Payment } from '../../lambdas/shared/domain/payment';
import { type OutgoingEvent, PaymentCreated, paymentEvent } from '../../lambdas/shared/events';

export { lambdaContext } from './lambda';
export { RecordingPublisher } from './recording-publisher';

/** Remembers which messages were rescheduled instead of calling SQS. */
export class RecordingRetries implements RetryScheduler {
  readonly delayed: string[] = [];
  /** The `atLeastSeconds` each reschedule asked for. */
  readonly atLeast: (number | undefined)[] = [];
  async delay(record: SQSRecord, atLeastSeconds?: number): Promise<number> {
    this.delayed.push(record.messageId);
    this.atLeast.push(atLeastSeconds);
    return 1;
  }
}

export const QUEUE_ARN = 'arn:aws:sqs:eu-west-1:123456789012:payments';

/** An SQS record whose body is the EventBridge event for `event`, as a rule target delivers it. */
export function sqsRecord(
  event: OutgoingEvent,
  options: { messageId?: string; receiveCount?: number } = {},
): SQSRecord {
  return rawSqsRecord(
    JSON.stringify({
      version: '0',
      id: randomUUID(),
      'detail-type': event.detailType,
      source: event.source,
      account: '123456789012',
      time: new Date().toISOString(),
      region: 'eu-west-1',
      resources: [],
      detail: event.detail,
    }),
    options,
  );
}

export function rawSqsRecord(
  body: string,
  options: { messageId?: string; receiveCount?: number } = {},
): SQSRecord {
  return {
    messageId: options.messageId ?? randomUUID(),
    receiptHandle: randomUUID(),
    body,
    attributes: {
      ApproximateReceiveCount: String(options.receiveCount ?? 1),
      SentTimestamp: String(Date.now()),
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: QUEUE_ARN,
    awsRegion: 'eu-west-1',
  };
}

export function sqsEvent(...records: SQSRecord[]): SQSEvent {
  return { Records: records };
}

/** A PENDING payment and its PaymentCreated outbox row, written in one transaction as the API does. */
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
  await db.begin(async (sql) => {
    const tx = sql as unknown as Database;
    await insertPayment(tx, payment);
    await enqueueEvent(tx, created);
  });
  return { payment, created };
}

/** A random source that replays `values` first, then returns `then`. */
export function scriptedRandom(values: number[], then = 0.99): () => number {
  const queue = [...values];
  return () => queue.shift() ?? then;
}

/** A hook that throws the first `times` calls, simulating a crash at that point. */
export function crashing(times = 1): () => Promise<void> {
  let left = times;
  return async () => {
    if (left > 0) {
      left -= 1;
      throw new Error('simulated crash');
    }
  };
}
