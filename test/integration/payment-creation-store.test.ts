import { randomUUID } from 'node:crypto';
import { openDatabase } from '../../lambdas/shared/adapters/postgres/database';
import { PostgresPaymentCreationStore } from '../../lambdas/shared/adapters/postgres/payment-creation-store';
import { newPendingPayment } from '../../lambdas/shared/domain/payment';
import { PaymentCreated, paymentEvent } from '../../lambdas/shared/events';
import { IdempotencyKeyInUseError } from '../../lambdas/shared/use-cases/errors';
import type { PaymentCreation } from '../../lambdas/shared/use-cases/ports';
import { createTestDatabase, type TestDatabase } from '../support/database';

// The one-statement write of POST /payments against real PostgreSQL: all or nothing, the first writer
// wins, and a writer still holding the key turns into 409 after the wait, not a hung request.

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.drop());

function creation(userId: string, key: string, requestHash = 'h1'): PaymentCreation {
  const payment = newPendingPayment({
    id: randomUUID(),
    userId,
    body: { amount: 1500, currency: 'EUR', description: 'store test' },
    now: new Date(),
  });
  const event = paymentEvent(PaymentCreated, {
    eventId: randomUUID(),
    occurredAt: new Date(),
    correlationId: randomUUID(),
    payment,
  });
  return {
    key: { userId, key, requestHash },
    payment,
    event,
    response: { status: 201, body: `{"id":"${payment.id}"}` },
  };
}

async function rowsFor(userId: string) {
  const [row] = await t.db<{ keys: number; payments: number; events: number }[]>`
    SELECT (SELECT count(*)::int FROM idempotency_keys WHERE user_id = ${userId}) AS keys,
           (SELECT count(*)::int FROM payments WHERE user_id = ${userId}) AS payments,
           (SELECT count(*)::int FROM outbox WHERE detail->'payment'->>'user_id' = ${userId}) AS events`;
  return row;
}

it('writes the record, the payment and its event, then returns what is stored to the second writer', async () => {
  const store = new PostgresPaymentCreationStore(t.db);
  const user = randomUUID();
  const first = creation(user, 'k1');
  expect(await store.createOnce(first)).toBeUndefined();
  const stored = await store.createOnce(creation(user, 'k1', 'h2'));
  expect(stored).toEqual({ requestHash: 'h1', status: 201, body: first.response.body });
  expect(await rowsFor(user)).toEqual({ keys: 1, payments: 1, events: 1 });
  const [key] = await t.db`SELECT payment_id FROM idempotency_keys WHERE user_id = ${user}`;
  expect(key?.payment_id).toBe(first.payment.id);
});

it('answers idempotency_key_in_use when another transaction holds the key past the wait, writing nothing', async () => {
  const store = new PostgresPaymentCreationStore(t.db, 200);
  const user = randomUUID();
  const holder = await t.db.reserve();
  try {
    await holder`BEGIN`;
    await holder`
      INSERT INTO idempotency_keys (user_id, idempotency_key, request_hash) VALUES (${user}, 'held', 'h1')`;
    const started = Date.now();
    const error = await store.createOnce(creation(user, 'held')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdempotencyKeyInUseError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    await holder`ROLLBACK`;
  } finally {
    holder.release();
  }
  expect(await rowsFor(user)).toEqual({ keys: 0, payments: 0, events: 0 });
  // The lock timeout was the statement's own: the pool's next statements wait as long as they need.
  const [setting] = await t.db<{ lock_timeout: string }[]>`SHOW lock_timeout`;
  expect(setting?.lock_timeout).toBe('0');
  expect(await store.createOnce(creation(user, 'held'))).toBeUndefined();
  expect(await rowsFor(user)).toEqual({ keys: 1, payments: 1, events: 1 });
});

it('lets exactly one of many concurrent writers of one key create the payment', async () => {
  const store = new PostgresPaymentCreationStore(t.db);
  const user = randomUUID();
  const outcomes = await Promise.all(
    Array.from({ length: 8 }, () => store.createOnce(creation(user, 'race'))),
  );
  expect(outcomes.filter((o) => o === undefined)).toHaveLength(1);
  expect(await rowsFor(user)).toEqual({ keys: 1, payments: 1, events: 1 });
});

it('works the same without named prepared statements, as behind RDS Proxy in AWS', async () => {
  const unprepared = openDatabase(t.url, { max: 2, prepare: false });
  try {
    const store = new PostgresPaymentCreationStore(unprepared);
    const user = randomUUID();
    const first = creation(user, 'proxy');
    expect(await store.createOnce(first)).toBeUndefined();
    expect(await store.createOnce(creation(user, 'proxy'))).toMatchObject({
      status: 201,
      body: first.response.body,
    });
    expect(await rowsFor(user)).toEqual({ keys: 1, payments: 1, events: 1 });
  } finally {
    await unprepared.end();
  }
});
