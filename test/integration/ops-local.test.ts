import { randomUUID } from 'node:crypto';
import type { Database } from '../../lambdas/shared/adapters/postgres/database';
import { enqueueEvent, recordFailures } from '../../lambdas/shared/adapters/postgres/outbox';
import type { Payment, PaymentStatus } from '../../lambdas/shared/domain/payment';
import { PaymentCreated, PaymentSucceeded, paymentEvent } from '../../lambdas/shared/events';
import { names } from '../../lib/names';
import { QueueStore } from '../../local/queue-store';
import { runOps } from '../../scripts/ops/cli';
import { LocalOpsBackend } from '../../scripts/ops/local-backend';
import type { TestDatabase } from '../support/database';
import { envelopeOf, insertPaymentRow } from '../support/factories';
import { createLocalTestDatabase } from '../support/local-database';

// The ops CLI against the local runtime's database: real PostgreSQL with the product and local migrations.

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);

async function seedPayment(db: Database, status: PaymentStatus, createdAt: Date): Promise<Payment> {
  const payment: Payment = {
    id: randomUUID(),
    user_id: 'user-ops',
    amount: 1999,
    currency: 'USD',
    status,
    description: null,
    metadata: {},
    failure_code: null,
    failure_reason: null,
    created_at: createdAt.toISOString(),
    updated_at: createdAt.toISOString(),
  } as Payment;
  await insertPaymentRow(db, payment);
  return payment;
}

/** The SQS body a worker receives: the EventBridge envelope of the event. */
function envelope(contract: typeof PaymentCreated | typeof PaymentSucceeded, payment: Payment): string {
  const event = paymentEvent(contract, {
    eventId: randomUUID(),
    occurredAt: new Date(payment.created_at),
    correlationId: randomUUID(),
    payment,
  });
  return envelopeOf(event, new Date(payment.created_at));
}

describe('npm run ops against the local runtime database', () => {
  let database: TestDatabase;
  let store: QueueStore;
  const run = async (argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const status = await runOps([...argv, '--database-url', database.url], {
      env: {},
      out: (t) => out.push(t),
      err: (t) => err.push(t),
    });
    return { status, out: out.join('\n'), err: err.join('\n') };
  };

  beforeAll(async () => {
    database = await createLocalTestDatabase();
    store = new QueueStore(database.db);
  });
  afterAll(() => database.drop());
  beforeEach(async () => {
    await database.db`TRUNCATE local_queue_messages, outbox, idempotency_keys, payments CASCADE`;
  });

  it('dlq list: depth and the oldest messages of each queue DLQ, with what they carry', async () => {
    const payment = await seedPayment(database.db, 'PENDING', minutesAgo(30));
    await store.send(names.deadLetterQueue('payments'), [envelope(PaymentCreated, payment)]);
    await store.send(names.deadLetterQueue('payments'), ['not json']);
    await store.send('payments', ['{}', '{}', '{}']);

    const { status, out } = await run(['dlq', 'list', '--json', '--sample', '1']);
    expect(status).toBe(0);
    const report = JSON.parse(out) as {
      kind: string;
      name: string;
      depth: number;
      sourceDepth: number;
      samples: { body: string }[];
    }[];
    expect(report.map((r) => [r.kind, r.name, r.depth, r.sourceDepth, r.samples.length])).toEqual([
      ['queue', 'payments', 2, 3, 1],
      ['queue', 'notifications', 0, 0, 0],
      ['queue', 'notificationRequests', 0, 0, 0],
      ['queue', 'risk', 0, 0, 0],
    ]);
    expect(JSON.parse(report[0]!.samples[0]!.body).detail.payment.id).toBe(payment.id);

    const text = await run(['dlq', 'list']);
    expect(text.out).toContain(`PaymentCreated payment ${payment.id}`);
    expect(text.out).toMatch(/Rule-target DLQs exist only in AWS/);
  });

  it('dlq redrive: moves DLQ messages back as fresh messages, at most `rate` per second', async () => {
    const bodies = Array.from({ length: 12 }, (_, i) => JSON.stringify({ n: i }));
    await store.send('notifications', bodies);
    // Exhaust them the way the poller does: five receives, then the sixth moves them to the DLQ.
    const redrive = { maxReceiveCount: 5, deadLetterQueue: names.deadLetterQueue('notifications') };
    for (let i = 0; i < 6; i++) {
      await database.db`UPDATE local_queue_messages SET visible_at = now() WHERE queue = 'notifications'`;
      await store.receive('notifications', {
        maxMessages: 20,
        visibilityTimeoutSeconds: 30,
        leasedBy: 't',
        redrive,
      });
    }
    expect((await store.depths())[names.deadLetterQueue('notifications')]?.visible).toBe(12);

    const sleeps: number[] = [];
    const progress: number[] = [];
    const backend = new LocalOpsBackend(database.db, {
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      close: async () => {},
    });
    const report = await backend.redrive('notifications', { rate: 5, onProgress: (m) => progress.push(m) });
    expect(report).toMatchObject({ queue: 'notifications', moved: 12, remaining: 0 });
    expect(progress).toEqual([5, 10, 12]);
    // A pause after each full batch: 12 messages at 5/s take three batches and two waits.
    expect(sleeps).toHaveLength(2);

    // Fresh messages: delivered again, not straight back to the DLQ.
    const again = await store.receive('notifications', {
      maxMessages: 20,
      visibilityTimeoutSeconds: 30,
      leasedBy: 't',
      redrive,
    });
    expect(again.map((m) => m.body).sort()).toEqual([...bodies].sort());
    expect(again.every((m) => m.receiveCount === 1)).toBe(true);
  });

  it('dlq redrive through the CLI, with --limit, and redrive-status', async () => {
    // One send per message: messages sent together share a timestamp, and the oldest move first.
    for (const body of ['{"a":1}', '{"a":2}', '{"a":3}'])
      await store.send(names.deadLetterQueue('payments'), [body]);
    const moved = await run(['dlq', 'redrive', 'payments', '--rate', '50', '--limit', '2']);
    expect(moved.status).toBe(0);
    expect(moved.out).toMatch(/Moved 2 message\(s\) from payments-dlq back to payments .* 1 left in the DLQ/);
    expect((await store.peek('payments', 10)).map((m) => m.body)).toEqual(['{"a":1}', '{"a":2}']);
    const status = await run(['dlq', 'redrive-status', 'payments', '--json']);
    expect(JSON.parse(status.out)).toMatchObject({ queue: 'payments', depth: 1, tasks: [] });
  });

  it('outbox lag: unpublished rows, oldest age, attempts and the most frequent errors', async () => {
    const payments = await Promise.all(
      [1, 2, 3].map(() => seedPayment(database.db, 'PENDING', minutesAgo(1))),
    );
    const events = payments.map((p) =>
      paymentEvent(PaymentCreated, {
        eventId: randomUUID(),
        occurredAt: new Date(),
        correlationId: 'c',
        payment: p,
      }),
    );
    for (const e of events) await enqueueEvent(database.db, e);
    await database.db`UPDATE outbox SET created_at = now() - interval '7 minutes' WHERE event_id = ${events[0]!.eventId}`;
    await database.db`UPDATE outbox SET published_at = now() WHERE event_id = ${events[2]!.eventId}`;
    await recordFailures(database.db, [{ eventId: events[0]!.eventId, error: 'PutEvents: throttled' }]);
    await recordFailures(database.db, [{ eventId: events[0]!.eventId, error: 'PutEvents: throttled' }]);
    await recordFailures(database.db, [{ eventId: events[1]!.eventId, error: 'PutEvents: throttled' }]);

    const { status, out } = await run(['outbox', 'lag', '--json']);
    expect(status).toBe(0);
    const lag = JSON.parse(out);
    expect(lag).toMatchObject({
      unpublished: 2,
      failing: 2,
      maxAttempts: 2,
      byDetailType: [{ detailType: PaymentCreated.detailType, count: 2 }],
      lastErrors: [{ error: 'PutEvents: throttled', count: 2, maxAttempts: 2 }],
    });
    expect(lag.oldestAgeSeconds).toBeGreaterThanOrEqual(7 * 60);
    expect(lag.oldestAgeSeconds).toBeLessThan(9 * 60);
    expect((await run(['outbox', 'lag'])).out).toMatch(
      /Unpublished outbox rows: 2 .*\n.*7m ago\); max attempts 2/,
    );
  });

  it('payments stuck: old PENDING payments, and which of them have their PaymentCreated in a DLQ', async () => {
    const inDlq = await seedPayment(database.db, 'PENDING', minutesAgo(45));
    const queued = await seedPayment(database.db, 'PENDING', minutesAgo(20));
    await seedPayment(database.db, 'PENDING', minutesAgo(2)); // recent: not stuck yet
    const done = await seedPayment(database.db, 'SUCCEEDED', minutesAgo(60));
    await store.send(names.deadLetterQueue('payments'), [envelope(PaymentCreated, inDlq)]);
    // An outcome event of another payment in a DLQ says nothing about a stuck payment.
    await store.send(names.deadLetterQueue('notifications'), [envelope(PaymentSucceeded, done)]);
    await store.send('payments', [envelope(PaymentCreated, queued)]);

    const { status, out } = await run(['payments', 'stuck', '--older-than', '10m', '--json']);
    expect(status).toBe(0);
    const report = JSON.parse(out);
    expect(report).toMatchObject({ count: 2, olderThanSeconds: 600 });
    expect(report.oldest.map((p: { id: string }) => p.id)).toEqual([inDlq.id, queued.id]);
    expect(report.deadLetters).toEqual({
      scanned: 1,
      depth: 1,
      found: [{ paymentId: inDlq.id, deadLetterQueue: 'payments (queue DLQ)' }],
    });

    const text = (await run(['payments', 'stuck'])).out;
    expect(text).toContain(`${inDlq.id}  ${inDlq.created_at}  1999 USD  payments (queue DLQ)`);
    expect(text).toMatch(/PaymentCreated in a DLQ: 1 of the 2 oldest/);
    expect((await run(['payments', 'stuck', '--older-than', '1h', '--json'])).out).toMatch(/"count": 0/);
  });

  it('replay-target explains that the local bus has no target DLQs; bad input is a usage error', async () => {
    const replay = await run(['dlq', 'replay-target', 'paymentCreatedToRisk']);
    expect(replay.status).toBe(0);
    expect(replay.out).toMatch(/received 0.*\n.*no rule-target DLQs/);
    const bad = await run(['payments', 'stuck', '--older-than', 'soon']);
    expect(bad.status).toBe(2);
    expect(bad.err).toMatch(/Not a duration: soon/);
  });
});
