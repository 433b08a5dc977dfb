import { randomUUID } from 'node:crypto';
import { openDatabase } from '../../lambdas/shared/adapters/postgres/database';
import { enqueueEvent } from '../../lambdas/shared/adapters/postgres/outbox';
import { PostgresOutboxStore } from '../../lambdas/shared/adapters/postgres/outbox-store';
import { type OutgoingEvent, PaymentCreated, paymentEvent } from '../../lambdas/shared/events';
import {
  BatchedOutboxDispatcher,
  OutboxEventDispatcher,
} from '../../lambdas/shared/use-cases/publish-outbox';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { RecordingPublisher } from '../support/factories';

// The after-commit dispatcher publishes the events its producer hands it (no read of the rows it just
// wrote) and records each one's fate on those rows.

describe('after-commit outbox dispatch', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.drop());

  async function committed(): Promise<OutgoingEvent> {
    const event = paymentEvent(PaymentCreated, {
      eventId: randomUUID(),
      occurredAt: new Date('2026-03-04T05:06:07.089Z'),
      correlationId: randomUUID(),
      payment: {
        id: randomUUID(),
        user_id: randomUUID(),
        amount: 4999,
        currency: 'EUR',
        status: 'PENDING',
        failure_code: null,
        failure_reason: null,
      },
    });
    await t.db.begin((tx) => enqueueEvent(tx, event));
    return event;
  }

  const rowOf = async (eventId: string) => {
    const [row] = await t.db<
      {
        detail: Record<string, unknown>;
        published_at: Date | null;
        attempts: number;
        last_error: string | null;
      }[]
    >`SELECT detail, published_at, attempts, last_error FROM outbox WHERE event_id = ${eventId}`;
    return row!;
  };

  it('publishes exactly the events it is given, equal to their outbox rows, and marks the rows published', async () => {
    const publisher = new RecordingPublisher();
    const dispatcher = new OutboxEventDispatcher(new PostgresOutboxStore(t.db), publisher);
    const [a, b] = [await committed(), await committed()];
    await dispatcher.dispatch([a, b]);
    expect(publisher.published).toEqual([a, b]);
    for (const event of [a, b]) {
      const row = await rowOf(event.eventId);
      expect(row.published_at).toBeInstanceOf(Date);
      // What the bus got is what the relay would have read from the row.
      expect(row.detail).toEqual(event.detail);
    }
  });

  it("commits the mark asynchronously, for that statement's transaction only", async () => {
    const one = openDatabase(t.url, { max: 1 });
    try {
      const event = await committed();
      await new OutboxEventDispatcher(new PostgresOutboxStore(one), new RecordingPublisher()).dispatch([
        event,
      ]);
      expect((await rowOf(event.eventId)).published_at).toBeInstanceOf(Date);
      const [setting] = await one<{ synchronous_commit: string }[]>`SHOW synchronous_commit`;
      expect(setting?.synchronous_commit).toBe('on');
    } finally {
      await one.end();
    }
  });

  it('leaves refused events to the relay with the attempt recorded, and never throws', async () => {
    const publisher = new RecordingPublisher();
    const errors: unknown[] = [];
    const dispatcher = new OutboxEventDispatcher(new PostgresOutboxStore(t.db), publisher, (e) =>
      errors.push(e),
    );
    const event = await committed();
    publisher.failNext();
    await dispatcher.dispatch([event]);
    expect(await rowOf(event.eventId)).toMatchObject({
      published_at: null,
      attempts: 1,
      last_error: 'refused',
    });
    const thrower = new OutboxEventDispatcher(
      new PostgresOutboxStore(t.db),
      { publish: () => Promise.reject(new Error('bus down')) },
      (e) => errors.push(e),
    );
    const other = await committed();
    await expect(thrower.dispatch([other])).resolves.toBeUndefined();
    expect(await rowOf(other.eventId)).toMatchObject({
      published_at: null,
      attempts: 1,
      last_error: 'bus down',
    });
    expect(errors).toEqual([]);
  });

  it("batched (a worker invocation's): holds events until flush, then publishes them in one call", async () => {
    const publisher = new RecordingPublisher();
    const calls: number[] = [];
    const counting = {
      publish: (events: readonly OutgoingEvent[]) => {
        calls.push(events.length);
        return publisher.publish(events);
      },
    };
    const batched = new BatchedOutboxDispatcher(
      new OutboxEventDispatcher(new PostgresOutboxStore(t.db), counting),
    );
    const [a, b, c] = [await committed(), await committed(), await committed()];
    await batched.dispatch([a]);
    await batched.dispatch([b, c]);
    expect(publisher.published).toEqual([]);
    expect((await rowOf(a.eventId)).published_at).toBeNull();
    await batched.flush();
    expect(calls).toEqual([3]);
    expect(publisher.published).toEqual([a, b, c]);
    for (const event of [a, b, c]) expect((await rowOf(event.eventId)).published_at).toBeInstanceOf(Date);
    await batched.flush(); // nothing left: no second call
    expect(calls).toEqual([3]);
  });

  it('does nothing for no events', async () => {
    const publisher = new RecordingPublisher();
    await new OutboxEventDispatcher(new PostgresOutboxStore(t.db), publisher).dispatch([]);
    expect(publisher.published).toEqual([]);
  });
});
