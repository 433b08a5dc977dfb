import { randomUUID } from 'node:crypto';
import { createRetention } from '../../lambdas/retention/handler';
import type { Database } from '../../lambdas/shared/adapters/postgres/database';
import { PostgresPaymentCreationStore } from '../../lambdas/shared/adapters/postgres/payment-creation-store';
import { PostgresRetentionStore } from '../../lambdas/shared/adapters/postgres/retention-store';
import { systemClock } from '../../lambdas/shared/adapters/system';
import { loadConfig, retentionConfigSchema } from '../../lambdas/shared/config';
import { purgeExpiredData } from '../../lambdas/shared/use-cases/purge-expired-data';
import { runOps } from '../../scripts/ops/cli';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { lambdaContext, seedPendingPayment } from '../support/factories';

// Retention (docs/architecture.md, "Retention") over real PostgreSQL: what goes, what stays, in batches.

const DAY_S = 86_400;

async function seedWorkerRecord(db: Database, expiresInSeconds: number): Promise<string> {
  const key = `gateway-charge:${randomUUID()}`;
  await db`
    INSERT INTO worker_idempotency (idempotency_key, status, expiry_timestamp)
    VALUES (${key}, 'COMPLETED', ${Math.floor(Date.now() / 1000) + expiresInSeconds})`;
  return key;
}

/** A payment whose key record and outbox row are `days` old; its row published then, or never. */
async function seedOld(db: Database, days: number, published: boolean) {
  const seeded = await seedPendingPayment(db);
  const at = new Date(Date.now() - days * DAY_S * 1000);
  await db`UPDATE idempotency_keys SET created_at = ${at} WHERE payment_id = ${seeded.payment.id}`;
  await db`UPDATE outbox SET created_at = ${at}, published_at = ${published ? at : null}
           WHERE event_id = ${seeded.created.eventId}`;
  return seeded;
}

const count = async (db: Database, table: 'idempotency_keys' | 'worker_idempotency' | 'outbox') =>
  (await db<{ n: number }[]>`SELECT count(*)::int AS n FROM ${db(table)}`)[0]!.n;

describe('retention (real PostgreSQL)', () => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await createTestDatabase();
  });
  afterEach(async () => {
    await t.drop();
  });

  const resources = (env: Record<string, string> = {}) => {
    const config = loadConfig(retentionConfigSchema, { DATABASE_URL: t.url, ...env });
    return async () => ({ config, store: new PostgresRetentionStore(t.db), clock: systemClock });
  };

  it('deletes expired keys, expired worker records and old published rows; keeps everything else', async () => {
    const oldKey = await seedOld(t.db, 8, true);
    const unpublished = await seedOld(t.db, 30, false);
    const recent = await seedOld(t.db, 6, true);
    await seedWorkerRecord(t.db, -60);
    const live = await seedWorkerRecord(t.db, 3600);

    const report = await createRetention(resources({ RETENTION_BATCH_SIZE: '1' }))(
      {},
      lambdaContext(120_000),
    );
    expect(report.complete).toBe(true);
    expect(report.kinds).toMatchObject({
      idempotencyKeys: { rows: 2 },
      workerIdempotencyRecords: { rows: 1 },
      publishedOutboxRows: { rows: 1 },
    });
    const keys = await t.db`SELECT payment_id FROM idempotency_keys`;
    expect(keys.map((k) => k.payment_id)).toEqual([recent.payment.id]);
    const rows = await t.db`SELECT event_id FROM outbox ORDER BY created_at`;
    expect(rows.map((r) => r.event_id)).toEqual([unpublished.created.eventId, recent.created.eventId]);
    expect(
      (await t.db`SELECT idempotency_key FROM worker_idempotency`).map((r) => r.idempotency_key),
    ).toEqual([live]);
    // Payments are kept whatever their age.
    const [payment] = await t.db`SELECT count(*)::int AS n FROM payments WHERE id = ${oldKey.payment.id}`;
    expect(payment?.n).toBe(1);
  });

  it('deletes analytics runs older than their retention (30 days by default), keeps the recent ones', async () => {
    for (const days of [31, 40, 29, 0]) {
      await t.db`
        INSERT INTO analytics_runs (kind, window_to, payments, days, complete, finished_at)
        VALUES ('incremental', now(), 0, 0, true, now() - ${`${days} days`}::interval)`;
    }
    const report = await createRetention(resources())({}, lambdaContext(120_000));
    expect(report.kinds.analyticsRuns.rows).toBe(2);
    const kept = await t.db<{ age: number }[]>`
      SELECT extract(day FROM now() - finished_at)::int AS age FROM analytics_runs ORDER BY age`;
    expect(kept.map((r) => r.age)).toEqual([0, 29]);
  });

  it('a retry after its key expired is a new payment', async () => {
    const { payment } = await seedOld(t.db, 8, true);
    const [key] = await t.db`SELECT user_id, idempotency_key FROM idempotency_keys`;
    await createRetention(resources())({}, lambdaContext(120_000));
    const retried = await seedPendingPayment(t.db, { userId: key!.user_id });
    const store = new PostgresPaymentCreationStore(t.db);
    const again = await store.createOnce({
      key: { userId: key!.user_id, key: key!.idempotency_key, requestHash: 'seed' },
      payment: { ...retried.payment, id: randomUUID() },
      event: { ...retried.created, eventId: randomUUID() },
      response: { status: 201, body: '{}' },
    });
    expect(again).toBeUndefined(); // written: a new payment, not a replay of `payment`
    expect(payment.id).not.toBe(retried.payment.id);
  });

  it('keeps keys for at least 24 hours whatever the setting', () => {
    expect(() =>
      loadConfig(retentionConfigSchema, {
        DATABASE_URL: 'postgres://x/y',
        RETENTION_IDEMPOTENCY_KEY_HOURS: '23',
      }),
    ).toThrow();
  });

  it('works in batches and stops when its time is up, leaving the rest for the next run', async () => {
    for (let i = 0; i < 5; i++) await seedOld(t.db, 8, true);
    let batches = 0;
    const store = new PostgresRetentionStore(t.db);
    const counting = {
      purge: async (...args: Parameters<PostgresRetentionStore['purge']>) => {
        batches++;
        return store.purge(...args);
      },
      count: store.count.bind(store),
    };
    const report = await purgeExpiredData(
      { store: counting, clock: systemClock },
      { idempotencyKeyHours: 168, publishedOutboxDays: 7, analyticsRunDays: 30 },
      { batchSize: 2 },
      () => batches < 2,
    );
    expect(report.complete).toBe(false);
    expect(report.kinds.idempotencyKeys.rows).toBe(4);
    expect(await count(t.db, 'idempotency_keys')).toBe(1);
  });

  it('npm run ops -- retention run --dry-run counts and deletes nothing; without it, deletes', async () => {
    await seedOld(t.db, 8, true);
    await seedWorkerRecord(t.db, -1);
    const run = async (argv: string[]) => {
      const out: string[] = [];
      const status = await runOps([...argv, '--database-url', t.url], {
        env: {},
        out: (text) => out.push(text),
        err: () => {},
      });
      return { status, out: out.join('\n') };
    };
    const dry = await run(['retention', 'run', '--dry-run', '--json']);
    expect(dry.status).toBe(0);
    expect(JSON.parse(dry.out)).toMatchObject({
      dryRun: true,
      kinds: {
        idempotencyKeys: { rows: 1 },
        workerIdempotencyRecords: { rows: 1 },
        publishedOutboxRows: { rows: 1 },
      },
    });
    expect(await count(t.db, 'outbox')).toBe(1);
    const real = await run(['retention', 'run']);
    expect(real.status).toBe(0);
    expect(real.out).toMatch(/publishedOutboxRows\s+\S+\s+1/);
    expect(await count(t.db, 'outbox')).toBe(0);
    expect(await count(t.db, 'worker_idempotency')).toBe(0);
  });
});
