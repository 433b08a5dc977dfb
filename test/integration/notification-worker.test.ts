import { randomUUID } from 'node:crypto';
import { notificationWorker } from '../../lambdas/notification-worker/handler';
import { RecordingNotifier } from '../../lambdas/shared/adapters/notifier/recording-notifier';
import type { Database } from '../../lambdas/shared/adapters/postgres/database';
import { listNotifications } from '../../lambdas/shared/adapters/postgres/notifications';
import { transitionFromPending } from '../../lambdas/shared/adapters/postgres/payments';
import {
  NotificationSent,
  type OutgoingEvent,
  PaymentFailed,
  PaymentSucceeded,
  paymentEvent,
} from '../../lambdas/shared/events';
import type { Notifier, OutgoingMessage } from '../../lambdas/shared/use-cases/ports';
import { createTestDatabase, type TestDatabase } from '../support/database';
import {
  lambdaContext,
  RecordingPublisher,
  RecordingRetries,
  seedPendingPayment,
  sqsEvent,
  sqsRecord,
  testResources,
} from '../support/factories';
import { expectLedgerMatchesSucceededPayments } from '../support/invariants';

describe('notification worker (real PostgreSQL)', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.drop());
  afterEach(() => expectLedgerMatchesSucceededPayments(t.db));

  /** The production notification worker over the test database, with `notifier` as its provider. */
  function worker(notifier: Notifier = new RecordingNotifier()) {
    const publisher = new RecordingPublisher();
    const retries = new RecordingRetries();
    const handler = notificationWorker.create({
      resources: testResources(t.db, publisher),
      retries,
      ports: (ports) => ({ ...ports, notifier }),
    });
    return { handler, publisher, retries };
  }

  /** A FAILED payment (declined) and its PaymentFailed event, as the payment worker leaves them. */
  async function failedPayment(): Promise<OutgoingEvent> {
    const { payment } = await seedPendingPayment(t.db, { amount: 513, userId: 'user-n' });
    const settled = await transitionFromPending(t.db as Database, payment.id, {
      status: 'FAILED',
      failureCode: 'card_declined',
      failureReason: 'The card was declined.',
      at: new Date(),
    });
    return paymentEvent(PaymentFailed, {
      eventId: randomUUID(),
      occurredAt: new Date(),
      correlationId: 'corr-n',
      payment: settled!,
    });
  }

  it('notifies once per channel for a FAILED payment, stores both, and emits NotificationSent for each', async () => {
    const event = await failedPayment();
    const paymentId = (event.detail.payment as { id: string }).id;
    const notifier = new RecordingNotifier();
    const w = worker(notifier);
    expect((await w.handler(sqsEvent(sqsRecord(event)), lambdaContext())).batchItemFailures).toEqual([]);
    const email = notifier.sent.find((m) => m.channel === 'email');
    const sms = notifier.sent.find((m) => m.channel === 'sms');
    expect(email?.subject).toBe('Payment of $5.13 failed');
    expect(email?.body).toContain('The card was declined.');
    expect(sms?.body).toMatch(/^Payment [0-9a-f]{8}: \$5\.13 failed \(card_declined\)/);
    expect(sms?.body.length).toBeLessThanOrEqual(160);
    const stored = await listNotifications(t.db, { userId: 'user-n', paymentId, limit: 100 });
    expect(stored.map((n) => n.channel).sort()).toEqual(['email', 'sms']);
    const sent = w.publisher.ofType(NotificationSent.detailType);
    expect(sent).toHaveLength(2);
    expect(sent.map((e) => (e.detail.notification as { id: string }).id).sort()).toEqual(
      stored.map((n) => n.id).sort(),
    );
    expect(sent.every((e) => e.detail.correlation_id === 'corr-n')).toBe(true);
  });

  it('two concurrent deliveries of one outcome send and store each channel once', async () => {
    const event = await failedPayment();
    const notifier = new RecordingNotifier();
    const a = worker(notifier);
    const b = worker(notifier);
    const responses = await Promise.all([
      a.handler(sqsEvent(sqsRecord(event)), lambdaContext()),
      b.handler(sqsEvent(sqsRecord(event)), lambdaContext()),
    ]);
    // A loser that met the other's send in progress fails and is redelivered: replay it until settled.
    for (const r of responses) {
      if (r.batchItemFailures.length > 0) {
        expect((await a.handler(sqsEvent(sqsRecord(event)), lambdaContext())).batchItemFailures).toEqual([]);
      }
    }
    expect(notifier.sent.map((m) => m.channel).sort()).toEqual(['email', 'sms']);
    const [row] =
      await t.db`SELECT count(*)::int AS n FROM notifications WHERE payment_id = ${(event.detail.payment as { id: string }).id}`;
    expect(row?.n).toBe(2);
    expect([...a.publisher.published, ...b.publisher.published]).toHaveLength(2);
  });

  it('an SMS failure after the email went out: the retry sends only the SMS', async () => {
    const event = await failedPayment();
    const recorder = new RecordingNotifier();
    let smsFailures = 1;
    const flaky: Notifier = {
      send: async (m: OutgoingMessage) => {
        if (m.channel === 'sms' && smsFailures-- > 0) throw new Error('SMS provider unavailable');
        return recorder.send(m);
      },
    };
    const w = worker(flaky);
    const record = sqsRecord(event);
    expect((await w.handler(sqsEvent(record), lambdaContext())).batchItemFailures).toEqual([
      { itemIdentifier: record.messageId },
    ]);
    expect(w.retries.delayed).toEqual([record.messageId]);
    expect(recorder.sent.map((m) => m.channel)).toEqual(['email']);
    expect((await w.handler(sqsEvent(record), lambdaContext())).batchItemFailures).toEqual([]);
    expect(recorder.sent.map((m) => m.channel)).toEqual(['email', 'sms']);
  });

  it('refuses a PaymentCreated (not its event) as poison', async () => {
    const { created } = await seedPendingPayment(t.db);
    const w = worker();
    const record = sqsRecord(created);
    expect((await w.handler(sqsEvent(record), lambdaContext())).batchItemFailures).toEqual([
      { itemIdentifier: record.messageId },
    ]);
    expect(w.retries.delayed).toEqual([]);
    expect(w.retries.exhausted).toEqual([record.messageId]);
  });

  it('accepts PaymentSucceeded too', async () => {
    const { payment } = await seedPendingPayment(t.db, { amount: 100000, currency: 'JPY', userId: 'user-s' });
    const settled = await t.db.begin(async (sql) => {
      const tx = sql as unknown as Database;
      const p = await transitionFromPending(tx, payment.id, {
        status: 'SUCCEEDED',
        failureCode: null,
        failureReason: null,
        at: new Date(),
      });
      const { postPayment } = await import('../../lambdas/shared/adapters/postgres/ledger');
      await postPayment(tx, p!);
      return p!;
    });
    const event = paymentEvent(PaymentSucceeded, {
      eventId: randomUUID(),
      occurredAt: new Date(),
      correlationId: 'c',
      payment: settled,
    });
    const notifier = new RecordingNotifier();
    expect(
      (await worker(notifier).handler(sqsEvent(sqsRecord(event)), lambdaContext())).batchItemFailures,
    ).toEqual([]);
    expect(notifier.sent.find((m) => m.channel === 'email')?.subject).toBe('Payment of ¥100,000 received');
  });
});
