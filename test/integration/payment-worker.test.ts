import { notificationWorker } from '../../lambdas/notification-worker/handler';
import { paymentWorker } from '../../lambdas/payment-worker/handler';
import { SimulatedGateway } from '../../lambdas/shared/adapters/gateway/simulated-gateway';
import { RecordingNotifier } from '../../lambdas/shared/adapters/notifier/recording-notifier';
import { PostgresOutboxStore } from '../../lambdas/shared/adapters/postgres/outbox-store';
import { findPayment } from '../../lambdas/shared/adapters/postgres/payments';
import { PowertoolsIdempotencyGuard } from '../../lambdas/shared/adapters/postgres/worker-idempotency';
import { PaymentFailed, PaymentSucceeded } from '../../lambdas/shared/events';
import type { PaymentSettlementStore } from '../../lambdas/shared/use-cases/ports';
import type { ProcessPaymentDeps } from '../../lambdas/shared/use-cases/process-payment';
import { relayOutbox } from '../../lambdas/shared/use-cases/relay-outbox';
import { createTestDatabase, type TestDatabase } from '../support/database';
import {
  chargesFor,
  lambdaContext,
  RecordingPublisher,
  RecordingRetries,
  rawSqsRecord,
  scriptedRandom,
  seedAssessedPayment,
  sqsEvent,
  sqsRecord,
  testResources,
} from '../support/factories';
import { expectLedgerMatchesSucceededPayments } from '../support/invariants';

/** The store with its first `settle` crashing before its transaction (no commit) or after it (no publish). */
function crashingOnce(
  store: PaymentSettlementStore,
  when: 'before-commit' | 'after-commit',
): PaymentSettlementStore {
  let crashed = false;
  return {
    findPayment: (id) => store.findPayment(id),
    findAssessment: (id) => store.findAssessment(id),
    settle: async (...args) => {
      const crash = () => {
        crashed = true;
        throw new Error(`simulated crash ${when}`);
      };
      if (!crashed && when === 'before-commit') crash();
      const settled = await store.settle(...args);
      if (!crashed && when === 'after-commit') crash();
      return settled;
    },
  };
}

describe('payment worker (real PostgreSQL)', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.drop());
  afterEach(() => expectLedgerMatchesSucceededPayments(t.db));

  /** The production payment worker over the test database, with a scripted gateway and recorded publishes. */
  function newPaymentWorker(
    options: {
      random?: () => number;
      timeoutRate?: number;
      failRate?: number;
      ports?: (ports: ProcessPaymentDeps) => ProcessPaymentDeps;
    } = {},
  ) {
    const publisher = new RecordingPublisher();
    const retries = new RecordingRetries();
    const handler = paymentWorker.create({
      resources: testResources(t.db, publisher),
      retries,
      ports: (ports) => {
        const scripted = {
          ...ports,
          gateway: new SimulatedGateway(t.db, {
            transientFailureRate: options.failRate ?? 0,
            timeoutRate: options.timeoutRate ?? 0,
            random: options.random ?? (() => 0.99),
          }),
        };
        return options.ports?.(scripted) ?? scripted;
      },
    });
    return { handler, publisher, retries };
  }

  function newNotificationWorker() {
    const publisher = new RecordingPublisher();
    const notifier = new RecordingNotifier();
    const handler = notificationWorker.create({
      resources: testResources(t.db, publisher),
      retries: new RecordingRetries(),
      ports: (ports) => ({ ...ports, notifier }),
    });
    return { handler, publisher, notifier };
  }

  const count = async (sql: string, id: string) => {
    const [row] = await t.db.unsafe(sql, [id]);
    return Number(row?.n);
  };
  const ledgerRows = (paymentId: string) =>
    count('SELECT count(*) AS n FROM ledger_entries WHERE payment_id = $1', paymentId);
  const outcomeRows = (paymentId: string) =>
    count(
      `SELECT count(*) AS n FROM outbox WHERE detail->'payment'->>'id' = $1 AND detail_type IN ('${PaymentSucceeded.detailType}', '${PaymentFailed.detailType}')`,
      paymentId,
    );

  it('the same RiskAssessed delivered 10 times: one charge, one transition, one posting, one outcome event, one notification per channel', async () => {
    const { payment, assessed } = await seedAssessedPayment(t.db, { amount: 4200 });
    const worker = newPaymentWorker();
    for (let i = 0; i < 10; i++) {
      const response = await worker.handler(
        sqsEvent(sqsRecord(assessed, { receiveCount: i + 1 })),
        lambdaContext(),
      );
      expect(response.batchItemFailures).toEqual([]);
    }
    expect(await chargesFor(t.db, payment.id)).toBe(1);
    expect((await findPayment(t.db, payment.id))?.status).toBe('SUCCEEDED');
    expect(await ledgerRows(payment.id)).toBe(2);
    expect(await outcomeRows(payment.id)).toBe(1);
    const outcomes = worker.publisher.ofType(PaymentSucceeded.detailType);
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]?.detail).toMatchObject({
      correlation_id: assessed.detail.correlation_id,
      payment: { id: payment.id, status: 'SUCCEEDED' },
    });

    // The outcome event, itself delivered 10 times, notifies once per channel.
    const notifications = newNotificationWorker();
    for (let i = 0; i < 10; i++) {
      const response = await notifications.handler(sqsEvent(sqsRecord(outcomes[0]!)), lambdaContext());
      expect(response.batchItemFailures).toEqual([]);
    }
    expect(notifications.notifier.sent.map((m) => m.channel).sort()).toEqual(['email', 'sms']);
    expect(await count('SELECT count(*) AS n FROM notifications WHERE payment_id = $1', payment.id)).toBe(2);
    expect(
      notifications.publisher.published
        .map((e) => (e.detail.notification as { channel: string }).channel)
        .sort(),
    ).toEqual(['email', 'sms']);
  });

  it('the same RiskAssessed delivered twice concurrently: one charge, one transition, one posting, one outcome event', async () => {
    const { payment, assessed } = await seedAssessedPayment(t.db, { amount: 999, currency: 'EUR' });
    const a = newPaymentWorker();
    const b = newPaymentWorker();
    const responses = await Promise.all([
      a.handler(sqsEvent(sqsRecord(assessed)), lambdaContext()),
      b.handler(sqsEvent(sqsRecord(assessed)), lambdaContext()),
    ]);
    // A loser that found the charge in progress fails its record and is redelivered later: replay that.
    const failed = responses.filter((r) => r.batchItemFailures.length > 0).length;
    expect(failed).toBeLessThanOrEqual(1);
    if (failed === 1) {
      expect(
        (await a.handler(sqsEvent(sqsRecord(assessed, { receiveCount: 2 })), lambdaContext()))
          .batchItemFailures,
      ).toEqual([]);
    }
    expect(await chargesFor(t.db, payment.id)).toBe(1);
    expect((await findPayment(t.db, payment.id))?.status).toBe('SUCCEEDED');
    expect(await ledgerRows(payment.id)).toBe(2);
    expect(await outcomeRows(payment.id)).toBe(1);
    expect([...a.publisher.published, ...b.publisher.published]).toHaveLength(1);
  });

  it('a decline ends FAILED with its reason, no ledger posting, and PaymentFailed', async () => {
    const { payment, assessed } = await seedAssessedPayment(t.db, { amount: 1013 });
    const worker = newPaymentWorker();
    const response = await worker.handler(sqsEvent(sqsRecord(assessed)), lambdaContext());
    expect(response.batchItemFailures).toEqual([]);
    const stored = await findPayment(t.db, payment.id);
    expect(stored).toMatchObject({ status: 'FAILED', failure_code: 'card_declined' });
    expect(stored?.failure_reason).toMatch(/declined/);
    expect(await ledgerRows(payment.id)).toBe(0);
    expect(worker.publisher.ofType(PaymentFailed.detailType).map((e) => e.detail.payment)).toEqual([
      expect.objectContaining({ id: payment.id, status: 'FAILED', failure_code: 'card_declined' }),
    ]);
  });

  it('a blocked payment ends FAILED risk_blocked without reaching the gateway, once, with PaymentFailed', async () => {
    const { payment, assessed, assessment } = await seedAssessedPayment(t.db, {
      amount: 1_000_000,
      userId: 'user-blocked',
    });
    expect(assessment.outcome).toBe('block');
    let gatewayCalls = 0;
    const worker = newPaymentWorker({
      ports: (ports) => ({
        ...ports,
        gateway: {
          charge: (r) => {
            gatewayCalls++;
            return ports.gateway.charge(r);
          },
          getCharge: (k) => ports.gateway.getCharge(k),
        },
      }),
    });
    for (let i = 0; i < 3; i++) {
      expect(
        (await worker.handler(sqsEvent(sqsRecord(assessed)), lambdaContext())).batchItemFailures,
      ).toEqual([]);
    }
    expect(gatewayCalls).toBe(0);
    expect(await chargesFor(t.db, payment.id)).toBe(0);
    const stored = await findPayment(t.db, payment.id);
    expect(stored).toMatchObject({ status: 'FAILED', failure_code: 'risk_blocked' });
    expect(stored?.failure_reason).toMatch(/^Blocked by risk screening \(score 100: amount_threshold \+100/);
    expect(await ledgerRows(payment.id)).toBe(0);
    expect(await outcomeRows(payment.id)).toBe(1);
    expect(worker.publisher.ofType(PaymentFailed.detailType)).toHaveLength(1);
  });

  it('a payment without an assessment is never charged: the message is retried', async () => {
    const { payment, assessed } = await seedAssessedPayment(t.db, { amount: 4300 });
    await t.db`DELETE FROM risk_assessments WHERE payment_id = ${payment.id}`;
    const worker = newPaymentWorker();
    const record = sqsRecord(assessed);
    expect((await worker.handler(sqsEvent(record), lambdaContext())).batchItemFailures).toEqual([
      { itemIdentifier: record.messageId },
    ]);
    expect(worker.retries.delayed).toEqual([record.messageId]);
    expect(await chargesFor(t.db, payment.id)).toBe(0);
    expect((await findPayment(t.db, payment.id))?.status).toBe('PENDING');
  });

  it('transient gateway failures are retried with backoff, then succeed with one charge', async () => {
    const { payment, assessed } = await seedAssessedPayment(t.db, { amount: 700 });
    const worker = newPaymentWorker({ failRate: 0.5, random: scriptedRandom([0.1, 0.2]) });
    const record = sqsRecord(assessed);
    for (const receiveCount of [1, 2]) {
      const response = await worker.handler(
        sqsEvent({
          ...record,
          attributes: { ...record.attributes, ApproximateReceiveCount: String(receiveCount) },
        }),
        lambdaContext(),
      );
      expect(response.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
      expect((await findPayment(t.db, payment.id))?.status).toBe('PENDING');
    }
    expect(worker.retries.delayed).toEqual([record.messageId, record.messageId]);
    expect(await chargesFor(t.db, payment.id)).toBe(0);
    expect((await worker.handler(sqsEvent(record), lambdaContext())).batchItemFailures).toEqual([]);
    expect(await chargesFor(t.db, payment.id)).toBe(1);
    expect((await findPayment(t.db, payment.id))?.status).toBe('SUCCEEDED');
  });

  it('a timeout after the gateway charged is resolved by asking the gateway, not by guessing', async () => {
    const { payment, assessed } = await seedAssessedPayment(t.db, { amount: 5100 });
    // roll 0.7 with timeoutRate 0.8: a timeout after the charge was recorded.
    const worker = newPaymentWorker({ timeoutRate: 0.8, random: scriptedRandom([0.7]) });
    expect((await worker.handler(sqsEvent(sqsRecord(assessed)), lambdaContext())).batchItemFailures).toEqual(
      [],
    );
    expect(await chargesFor(t.db, payment.id)).toBe(1);
    expect((await findPayment(t.db, payment.id))?.status).toBe('SUCCEEDED');
  });

  it('a timeout before the gateway charged stays PENDING (never FAILED on a guess) and the retry charges once', async () => {
    const { payment, assessed } = await seedAssessedPayment(t.db, { amount: 5200 });
    const worker = newPaymentWorker({ timeoutRate: 0.8, random: scriptedRandom([0.1]) });
    const record = sqsRecord(assessed);
    expect((await worker.handler(sqsEvent(record), lambdaContext())).batchItemFailures).toHaveLength(1);
    expect((await findPayment(t.db, payment.id))?.status).toBe('PENDING');
    expect(await chargesFor(t.db, payment.id)).toBe(0);
    expect((await worker.handler(sqsEvent(record), lambdaContext())).batchItemFailures).toEqual([]);
    expect(await chargesFor(t.db, payment.id)).toBe(1);
    expect((await findPayment(t.db, payment.id))?.status).toBe('SUCCEEDED');
  });

  it('a crash after the gateway charge but before commit: the retry commits without charging again', async () => {
    const { payment, assessed } = await seedAssessedPayment(t.db, { amount: 6100, currency: 'JPY' });
    let charges = 0;
    const worker = newPaymentWorker({
      ports: (ports) => ({ ...ports, store: crashingOnce(ports.store, 'before-commit') }),
      random: () => {
        charges += 1;
        return 0.99;
      },
    });
    const record = sqsRecord(assessed);
    expect((await worker.handler(sqsEvent(record), lambdaContext())).batchItemFailures).toHaveLength(1);
    expect((await findPayment(t.db, payment.id))?.status).toBe('PENDING');
    expect(await chargesFor(t.db, payment.id)).toBe(1);
    expect((await worker.handler(sqsEvent(record), lambdaContext())).batchItemFailures).toEqual([]);
    expect(charges).toBe(1); // the gateway was called once: the retry reused the recorded charge
    expect(await chargesFor(t.db, payment.id)).toBe(1);
    expect((await findPayment(t.db, payment.id))?.status).toBe('SUCCEEDED');
    expect(await ledgerRows(payment.id)).toBe(2);
  });

  it('a crash after commit but before publish: the relay publishes the outcome event', async () => {
    const { payment, assessed } = await seedAssessedPayment(t.db, { amount: 8800 });
    const worker = newPaymentWorker({
      ports: (ports) => ({ ...ports, store: crashingOnce(ports.store, 'after-commit') }),
    });
    const record = sqsRecord(assessed);
    expect((await worker.handler(sqsEvent(record), lambdaContext())).batchItemFailures).toHaveLength(1);
    expect((await findPayment(t.db, payment.id))?.status).toBe('SUCCEEDED');
    expect(worker.publisher.published).toEqual([]);
    // The redelivery finds the payment settled: nothing to do, and nothing is written twice.
    expect((await worker.handler(sqsEvent(record), lambdaContext())).batchItemFailures).toEqual([]);
    expect(await outcomeRows(payment.id)).toBe(1);

    // The worker never published it; once the moment it had to do so has passed, the row is the relay's.
    await t.db`UPDATE outbox SET next_attempt_at = now() WHERE published_at IS NULL`;
    const relayPublisher = new RecordingPublisher();
    const result = await relayOutbox(
      { outboxStore: new PostgresOutboxStore(t.db), publisher: relayPublisher },
      { batchSize: 10, pollIntervalMs: 5, stopWhenIdle: true },
    );
    expect(result.failed).toBe(0);
    const relayed = relayPublisher
      .ofType(PaymentSucceeded.detailType)
      .filter((e) => (e.detail.payment as { id: string }).id === payment.id);
    expect(relayed).toHaveLength(1);
    const [row] = await t.db`SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL`;
    expect(row?.n).toBe(0);
  });

  it('a delivery that finds the charge held by a crashed attempt waits for that claim to lapse, then charges once', async () => {
    const { payment, assessed } = await seedAssessedPayment(t.db, { amount: 2500 });
    // A crashed worker: its claim on the charge is in progress and lapses in about 20 s.
    const crashed = new PowertoolsIdempotencyGuard(t.db, {
      scope: 'gateway-charge',
      expiresAfterSeconds: 3600,
    });
    crashed.registerLambdaContext({ getRemainingTimeInMillis: () => 20_000 });
    void crashed.once(payment.id, () => new Promise<Record<string, unknown>>(() => {}));
    await new Promise((r) => setTimeout(r, 100));

    const worker = newPaymentWorker();
    const record = sqsRecord(assessed);
    expect((await worker.handler(sqsEvent(record), lambdaContext())).batchItemFailures).toHaveLength(1);
    // Rescheduled for when the claim lapses, not after a short backoff that would only burn a receive.
    expect(worker.retries.atLeast[0]).toBeGreaterThanOrEqual(20);
    expect(worker.retries.atLeast[0]).toBeLessThanOrEqual(22);
    expect(await chargesFor(t.db, payment.id)).toBe(0);

    await t.db`UPDATE worker_idempotency SET in_progress_expiry_timestamp = ${Date.now() - 1}`;
    expect((await worker.handler(sqsEvent(record), lambdaContext())).batchItemFailures).toEqual([]);
    expect(await chargesFor(t.db, payment.id)).toBe(1);
    expect((await findPayment(t.db, payment.id))?.status).toBe('SUCCEEDED');
  });

  it('a poison message among good ones: only it fails, and it is not rescheduled as transient', async () => {
    const good1 = await seedAssessedPayment(t.db, { amount: 1100 });
    const good2 = await seedAssessedPayment(t.db, { amount: 1213 });
    const worker = newPaymentWorker();
    const poisonJson = rawSqsRecord('{not json');
    const poisonSchema = sqsRecord({
      ...good1.assessed,
      detail: { ...good1.assessed.detail, payment: { id: 'nope' } },
    });
    const response = await worker.handler(
      sqsEvent(sqsRecord(good1.assessed), poisonJson, sqsRecord(good2.assessed), poisonSchema),
      lambdaContext(),
    );
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
      [poisonJson.messageId, poisonSchema.messageId].sort(),
    );
    expect(worker.retries.delayed).toEqual([]);
    // Made visible at once: its receives run out in seconds and SQS dead-letters it.
    expect(worker.retries.exhausted.sort()).toEqual([poisonJson.messageId, poisonSchema.messageId].sort());
    expect((await findPayment(t.db, good1.payment.id))?.status).toBe('SUCCEEDED');
    expect((await findPayment(t.db, good2.payment.id))?.status).toBe('FAILED');
  });
});
