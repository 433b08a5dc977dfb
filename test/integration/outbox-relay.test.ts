import { createOutboxRelay } from '../../lambdas/outbox-relay/handler';
import { PostgresOutboxStore } from '../../lambdas/shared/adapters/postgres/outbox-store';
import type { OutgoingEvent } from '../../lambdas/shared/events';
import type { EventPublisher, PublishOutcome } from '../../lambdas/shared/use-cases/ports';
import { relayOutbox } from '../../lambdas/shared/use-cases/relay-outbox';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { lambdaContext, RecordingPublisher, seedPendingPayment, testResources } from '../support/factories';
import { expectLedgerMatchesSucceededPayments } from '../support/invariants';

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

  it('publishes every due row, in batches, and marks them published', async () => {
    for (let i = 0; i < 7; i++) await seedPendingPayment(t.db);
    const publisher = new RecordingPublisher();
    const relay = createOutboxRelay(
      testResources(t.db, publisher, { OUTBOX_RELAY_GRACE_SECONDS: 0, OUTBOX_RELAY_BATCH_SIZE: 3 }),
    );
    const result = await relay({}, lambdaContext(60_000));
    expect(result).toEqual({ sweeps: 3, claimed: 7, published: 7, failed: 0 });
    expect(new Set(publisher.published.map((e) => e.eventId)).size).toBe(7);
    expect(await unpublished()).toBe(0);
    expect(await relay({}, lambdaContext(60_000))).toEqual({
      sweeps: 0,
      claimed: 0,
      published: 0,
      failed: 0,
    });
  });

  it('leaves rows younger than the grace period to their producer', async () => {
    await seedPendingPayment(t.db);
    const publisher = new RecordingPublisher();
    const result = await relayOutbox(
      { outboxStore: new PostgresOutboxStore(t.db), publisher },
      { graceSeconds: 60, batchSize: 10 },
    );
    expect(result.claimed).toBe(0);
    expect(await unpublished()).toBe(1);
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
    const result = await relayOutbox(
      { outboxStore: new PostgresOutboxStore(t.db), publisher: picky },
      { graceSeconds: 0, batchSize: 10 },
    );
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
    expect(
      (
        await relayOutbox(
          { outboxStore: new PostgresOutboxStore(t.db), publisher: new RecordingPublisher() },
          { graceSeconds: 0, batchSize: 10 },
        )
      ).claimed,
    ).toBe(0);
  });

  it('a publisher that throws leaves every claimed row for a later sweep', async () => {
    await seedPendingPayment(t.db);
    const broken: EventPublisher = {
      publish: async () => {
        throw new Error('network down');
      },
    };
    const result = await relayOutbox(
      { outboxStore: new PostgresOutboxStore(t.db), publisher: broken },
      { graceSeconds: 0, batchSize: 10 },
    );
    expect(result).toMatchObject({ claimed: 1, published: 0, failed: 1 });
    const [row] = await t.db`SELECT attempts, last_error FROM outbox`;
    expect(row).toMatchObject({ attempts: 1, last_error: 'network down' });
  });

  it('concurrent relays never publish the same row twice (SKIP LOCKED claim with a lease)', async () => {
    for (let i = 0; i < 20; i++) await seedPendingPayment(t.db);
    const publishers = [new RecordingPublisher(), new RecordingPublisher(), new RecordingPublisher()];
    await Promise.all(
      publishers.map((publisher) =>
        relayOutbox(
          { outboxStore: new PostgresOutboxStore(t.db), publisher },
          { graceSeconds: 0, batchSize: 2 },
        ),
      ),
    );
    const ids = publishers.flatMap((p) => p.published.map((e) => e.eventId));
    expect(ids).toHaveLength(20);
    expect(new Set(ids).size).toBe(20);
    expect(await unpublished()).toBe(0);
  });

  it('stops sweeping near the Lambda deadline', async () => {
    for (let i = 0; i < 3; i++) await seedPendingPayment(t.db);
    const publisher = new RecordingPublisher();
    const relay = createOutboxRelay(
      testResources(t.db, publisher, { OUTBOX_RELAY_GRACE_SECONDS: 0, OUTBOX_RELAY_BATCH_SIZE: 1 }),
    );
    expect((await relay({}, lambdaContext(5_000))).claimed).toBe(0);
    expect(await unpublished()).toBe(3);
  });
});
