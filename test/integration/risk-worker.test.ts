import { randomUUID } from 'node:crypto';
import { riskWorker } from '../../lambdas/risk-worker/handler';
import { findPayment, riskSignalsStatement } from '../../lambdas/shared/adapters/postgres/payments';
import { PostgresRiskAssessmentStore } from '../../lambdas/shared/adapters/postgres/risk-assessment-store';
import { findAssessment } from '../../lambdas/shared/adapters/postgres/risk-assessments';
import { RISK_RULES } from '../../lambdas/shared/domain/risk';
import { RiskAssessed } from '../../lambdas/shared/events';
import { createTestDatabase, type TestDatabase } from '../support/database';
import {
  insertPaymentRow,
  lambdaContext,
  RecordingPublisher,
  RecordingRetries,
  seedPendingPayment,
  sqsEvent,
  sqsRecord,
  testResources,
} from '../support/factories';

describe('risk worker (real PostgreSQL)', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.drop());

  function newRiskWorker() {
    const publisher = new RecordingPublisher();
    const retries = new RecordingRetries();
    const handler = riskWorker.create({ resources: testResources(t.db, publisher), retries });
    return { handler, publisher, retries };
  }

  const assessedRows = async (paymentId: string) => {
    const [row] = await t.db<{ assessments: number; events: number }[]>`
      SELECT (SELECT count(*) FROM risk_assessments WHERE payment_id = ${paymentId})::int AS assessments,
             (SELECT count(*) FROM outbox WHERE detail_type = ${RiskAssessed.detailType}
                AND detail -> 'payment' ->> 'id' = ${paymentId})::int AS events`;
    return row;
  };

  it('the same PaymentCreated delivered 10 times: one assessment, one RiskAssessed', async () => {
    const { payment, created } = await seedPendingPayment(t.db, { amount: 4200, userId: randomUUID() });
    const worker = newRiskWorker();
    for (let i = 0; i < 10; i++) {
      const response = await worker.handler(
        sqsEvent(sqsRecord(created, { receiveCount: i + 1 })),
        lambdaContext(),
      );
      expect(response.batchItemFailures).toEqual([]);
    }
    expect(await assessedRows(payment.id)).toEqual({ assessments: 1, events: 1 });
    const published = worker.publisher.ofType(RiskAssessed.detailType);
    expect(published).toHaveLength(1);
    expect(published[0]!.detail).toMatchObject({
      correlation_id: created.detail.correlation_id,
      payment: { id: payment.id, status: 'PENDING' },
      risk: {
        score: 5,
        level: 'normal',
        outcome: 'allow',
        reasons: [{ rule: 'first_payment', score: 5 }],
        rules_version: RISK_RULES.version,
      },
    });
    // The stored rules: every rule, hit or not.
    const stored = await findAssessment(t.db, payment.id);
    expect(stored?.rules.map((r) => r.rule)).toHaveLength(7);
    expect(stored?.rules.filter((r) => r.hit)).toEqual([{ rule: 'first_payment', hit: true, score: 5 }]);
  });

  it('the same PaymentCreated delivered twice at once: one assessment, one RiskAssessed', async () => {
    const { payment, created } = await seedPendingPayment(t.db, { amount: 999, currency: 'EUR' });
    const a = newRiskWorker();
    const b = newRiskWorker();
    const responses = await Promise.all([
      a.handler(sqsEvent(sqsRecord(created)), lambdaContext()),
      b.handler(sqsEvent(sqsRecord(created)), lambdaContext()),
    ]);
    expect(responses.flatMap((r) => r.batchItemFailures)).toEqual([]);
    expect(await assessedRows(payment.id)).toEqual({ assessments: 1, events: 1 });
    expect([...a.publisher.published, ...b.publisher.published]).toHaveLength(1);
  });

  it('USD 10,000.00 is blocked; USD 5,000.00 as a first payment is elevated and allowed', async () => {
    const blocked = await seedPendingPayment(t.db, { amount: 1_000_000, userId: randomUUID() });
    const elevated = await seedPendingPayment(t.db, { amount: 500_000, userId: randomUUID() });
    const worker = newRiskWorker();
    await worker.handler(sqsEvent(sqsRecord(blocked.created), sqsRecord(elevated.created)), lambdaContext());
    expect(await findAssessment(t.db, blocked.payment.id)).toMatchObject({
      score: 100,
      level: 'highest',
      outcome: 'block',
    });
    expect(await findAssessment(t.db, elevated.payment.id)).toMatchObject({
      score: 70,
      level: 'elevated',
      outcome: 'allow',
    });
    // Screening changes no payment: the payment worker settles it.
    expect((await findPayment(t.db, blocked.payment.id))?.status).toBe('PENDING');
  });

  it("reads the user's history: velocity, declines, currencies in their windows, and not later payments", async () => {
    const userId = randomUUID();
    const now = Date.now();
    const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString();
    const row = (minutesAgo: number, fields: { currency?: string; status?: 'FAILED' | 'SUCCEEDED' } = {}) =>
      insertPaymentRow(t.db, {
        id: randomUUID(),
        user_id: userId,
        amount: 1000,
        currency: fields.currency ?? 'USD',
        status: fields.status ?? 'SUCCEEDED',
        description: null,
        metadata: {},
        failure_code: fields.status === 'FAILED' ? 'card_declined' : null,
        failure_reason: null,
        created_at: at(minutesAgo),
        updated_at: at(minutesAgo),
      });
    await row(60 * 30); // outside the day
    await row(60 * 5, { status: 'FAILED' }); // in the day, not the hour
    await row(30, { currency: 'EUR' });
    await row(10, { currency: 'GBP', status: 'FAILED' });
    await row(5);
    const { payment } = await seedPendingPayment(t.db, { amount: 2000, userId });
    await row(-5); // after it: not seen
    const signals = await new PostgresRiskAssessmentStore(t.db).signals(payment);
    expect(signals).toEqual({
      hasEarlierPayment: true,
      hourCount: 3,
      dayCount: 4,
      hourAmount: 1000,
      dayDeclines: 2,
      hourCurrencies: 3,
    });
  });

  it('the velocity queries use the (user_id, created_at) index', async () => {
    const { payment } = await seedPendingPayment(t.db, { userId: randomUUID() });
    // The test table is tiny, so the planner is told to prefer an index whenever one applies.
    const plan = await t.db.begin(async (tx) => {
      await tx`SET LOCAL enable_seqscan = off`;
      const rows = await tx<{ 'QUERY PLAN': string }[]>`EXPLAIN ${riskSignalsStatement(tx, payment)}`;
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });
    expect(plan).toMatch(/payments_user_created_idx/);
    expect(plan).not.toMatch(/Seq Scan on payments/);
  });

  it('a PaymentCreated for a payment that does not exist fails and is retried (then dead-lettered)', async () => {
    const { created } = await seedPendingPayment(t.db);
    const ghost = {
      ...created,
      detail: { ...created.detail, payment: { ...(created.detail.payment as object), id: randomUUID() } },
    };
    const worker = newRiskWorker();
    const record = sqsRecord(ghost);
    expect((await worker.handler(sqsEvent(record), lambdaContext())).batchItemFailures).toEqual([
      { itemIdentifier: record.messageId },
    ]);
  });
});
