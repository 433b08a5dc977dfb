import type { Context } from 'aws-lambda';
import { createOutboxRelay, RELAY_STOPS_BEFORE_DEADLINE_MS } from '../../lambdas/outbox-relay/handler';
import { enqueueEvent } from '../../lambdas/shared/adapters/postgres/outbox';
import { PostgresOutboxStore } from '../../lambdas/shared/adapters/postgres/outbox-store';
import type { OutgoingEvent } from '../../lambdas/shared/events';
import type { EventPublisher, PublishOutcome } from '../../lambdas/shared/use-cases/ports';
import { relayOutbox } from '../../lambdas/shared/use-cases/relay-outbox';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { lambdaContext, RecordingPublisher, seedPendingPayment, testResources } from '../support/factories';
import { expectLedgerMatchesSucceededPayments } from '../support/invariants';

/** A Lambda context with time to spare until `done()` holds, then none: the relay's loop ends there. */
function contextUntil(done: () => boolean): Pick<Context, 'getRemainingTimeInMillis'> {
  return { getRemainingTimeInMillis: () => (done() ? 0 : 60_000) };
}

describe('outbox relay (real PostgreSQL)', () => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await createTestDatabase();
  });
  afterEach(async () => {
    await expectLedgerMatchesSucceededPayments(t.db);
    await t.drop();
  });

  const unpublished = async () =>
    (await t.db`SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL`)[0]?.n;
  const drain = { batchSize: 10, pollIntervalMs: 5, stopWhenIdle: true };

  it('keeps running: publishes rows committed while it runs, in cycles of its batch size', async () => {
    for (let i = 0; i < 7; i++) await seedPendingPayment(t.db);
    const publisher = new RecordingPublisher();
    const relay = createOutboxRelay(testResources(t.db, publisher, { OUTBOX_RELAY_BATCH_SIZE: 3 }));
    const running = relay({}, contextUntil(() => publisher.published.length >= 9) as Context);
    // Committed after the relay started: it picks them up without another invocation.
    await seedPendingPayment(t.db);
    await seedPendingPayment(t.db);
    const result = await running;
    expect(result).toMatchObject({ claimed: 9, published: 9, failed: 0 });
    expect(result.sweeps).toBeGreaterThanOrEqual(3);
    expect(new Set(publisher.published.map((e) => e.eventId)).size).toBe(9);
    expect(await unpublished()).toBe(0);
  });

  it('records when each row was published, after the commit that wrote it', async () => {
    await seedPendingPayment(t.db);
    await relayOutbox(
      { outboxStore: new PostgresOutboxStore(t.db), publisher: new RecordingPublisher() },
      drain,
    );
    const [row] = await t.db`SELECT published_at >= created_at AS after FROM outbox`;
    expect(row?.after).toBe(true);
  });

  it("leaves a worker's row to the worker's own after-batch publish for a moment, then takes it", async () => {
    const { created } = await seedPendingPayment(t.db);
    await t.db`UPDATE outbox SET published_at = now()`;
    const outcome = { ...created, eventId: crypto.randomUUID(), detailType: 'PaymentSucceeded' };
    await enqueueEvent(t.db, outcome); // as a worker writes it: it publishes the row itself after its batch
    const store = new PostgresOutboxStore(t.db);
    const publisher = new RecordingPublisher();
    expect((await relayOutbox({ outboxStore: store, publisher }, drain)).claimed).toBe(0);
    // The worker crashed before publishing: once its moment has passed the row is the relay's.
    await t.db`UPDATE outbox SET next_attempt_at = now() WHERE event_id = ${outcome.eventId}`;
    expect((await relayOutbox({ outboxStore: store, publisher }, drain)).claimed).toBe(1);
    expect(await unpublished()).toBe(0);
  });

  it('records a refused event with attempts, last error and backoff, without blocking the others', async () => {
    const { created: refused } = await seedPendingPayment(t.db);
    for (let i = 0; i < 3; i++) await seedPendingPayment(t.db);
    const picky: EventPublisher = {
      async publish(events: readonly OutgoingEvent[]): Promise<PublishOutcome> {
        return {
          published: events.filter((e) => e.eventId !== refused.eventId).map((e) => e.eventId),
          failed: events
            .filter((e) => e.eventId === refused.eventId)
            .map((e) => ({ eventId: e.eventId, error: 'InternalFailure: boom' })),
        };
      },
    };
    const result = await relayOutbox({ outboxStore: new PostgresOutboxStore(t.db), publisher: picky }, drain);
    expect(result).toMatchObject({ claimed: 4, published: 3, failed: 1 });
    const [row] = await t.db`
      SELECT attempts, last_error, published_at, next_attempt_at > now() AS backed_off FROM outbox WHERE event_id = ${refused.eventId}`;
    expect(row).toMatchObject({
      attempts: 1,
      last_error: 'InternalFailure: boom',
      published_at: null,
      backed_off: true,
    });
    // Not due again until its backoff passes.
    const again = await relayOutbox(
      { outboxStore: new PostgresOutboxStore(t.db), publisher: new RecordingPublisher() },
      drain,
    );
    expect(again.claimed).toBe(0);
  });

  it('a publisher that throws leaves every claimed row for a later cycle', async () => {
    await seedPendingPayment(t.db);
    const broken: EventPublisher = {
      publish: async () => {
        throw new Error('network down');
      },
    };
    const result = await relayOutbox(
      { outboxStore: new PostgresOutboxStore(t.db), publisher: broken },
      drain,
    );
    expect(result).toMatchObject({ claimed: 1, published: 0, failed: 1 });
    const [row] = await t.db`SELECT attempts, last_error FROM outbox`;
    expect(row).toMatchObject({ attempts: 1, last_error: 'network down' });
  });

  it('a relay that dies mid-publish leaves its rows due at once for the others', async () => {
    await seedPendingPayment(t.db);
    const dying: EventPublisher = {
      publish: async () => {
        throw Object.assign(new Error('process killed'), { fatal: true });
      },
    };
    // The transaction aborts (as when the connection drops): nothing is recorded, nothing is lost.
    await expect(
      new PostgresOutboxStore(t.db).publishDue(10, (events) => dying.publish(events)),
    ).rejects.toThrow('process killed');
    const publisher = new RecordingPublisher();
    expect(
      (await relayOutbox({ outboxStore: new PostgresOutboxStore(t.db), publisher }, drain)).published,
    ).toBe(1);
  });

  it('overlapping relays never publish the same row twice (SKIP LOCKED, rows held while published)', async () => {
    for (let i = 0; i < 20; i++) await seedPendingPayment(t.db);
    const publishers = [new RecordingPublisher(), new RecordingPublisher(), new RecordingPublisher()];
    await Promise.all(
      publishers.map((publisher) =>
        relayOutbox({ outboxStore: new PostgresOutboxStore(t.db), publisher }, { ...drain, batchSize: 2 }),
      ),
    );
    const ids = publishers.flatMap((p) => p.published.map((e) => e.eventId));
    expect(ids).toHaveLength(20);
    expect(new Set(ids).size).toBe(20);
    expect(await unpublished()).toBe(0);
  });

  it('stops before the Lambda deadline and reports the backlog it leaves', async () => {
    for (let i = 0; i < 3; i++) await seedPendingPayment(t.db);
    const publisher = new RecordingPublisher();
    const relay = createOutboxRelay(testResources(t.db, publisher, { OUTBOX_RELAY_BATCH_SIZE: 1 }));
    expect((await relay({}, lambdaContext(RELAY_STOPS_BEFORE_DEADLINE_MS))).claimed).toBe(0);
    expect(await unpublished()).toBe(3);
    expect(await new PostgresOutboxStore(t.db).oldestUnpublishedSeconds()).toBeGreaterThan(0);
  });
});
