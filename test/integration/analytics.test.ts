import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { createAnalytics } from '../../lambdas/analytics/handler';
import { FileObjectStore } from '../../lambdas/shared/adapters/analytics/object-stores';
import { ParquetExports } from '../../lambdas/shared/adapters/analytics/parquet-exports';
import { PostgresAnalyticsStore } from '../../lambdas/shared/adapters/postgres/analytics-store';
import { analyticsConfigSchema, loadConfig } from '../../lambdas/shared/config';
import type { AnalyticsExports } from '../../lambdas/shared/use-cases/ports';
import { type AnalyticsRun, runAnalytics } from '../../lambdas/shared/use-cases/run-analytics';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { lambdaContext, seedTerminalPayment } from '../support/factories';

// The analytics run (docs/architecture.md, "Analytics") over real PostgreSQL, its Parquet files read back by
// DuckDB (an independent reader) and checked against SQL.

const DAY_MS = 86_400_000;
const D1 = new Date('2026-11-01T10:00:00.000Z');
const D2 = new Date('2026-11-02T10:00:00.000Z');
const LAG_MS = 60_000;
const RUN: AnalyticsRun = { batchSize: 2, safeLagMs: LAG_MS };

describe('analytics (real PostgreSQL, Parquet read by DuckDB)', () => {
  let t: TestDatabase;
  let dir: string;
  let now: Date;
  const clock = { now: () => now };
  const deps = (exports?: AnalyticsExports) => ({
    store: new PostgresAnalyticsStore(t.db),
    exports: exports ?? new ParquetExports(new FileObjectStore(dir)),
    clock,
  });

  beforeEach(async () => {
    t = await createTestDatabase();
    dir = await mkdtemp(join(tmpdir(), 'analytics-'));
    now = new Date(D2.getTime() + DAY_MS);
  });
  afterEach(async () => {
    await t.drop();
    await rm(dir, { recursive: true, force: true });
  });

  /** Day 1: five USD payments (three succeeded, one declined, one blocked) and one EUR; day 2: one JPY. */
  async function seedTwoDays() {
    const at = (ms: number) => new Date(D1.getTime() + ms);
    const usd = [
      await seedTerminalPayment(t.db, {
        createdAt: at(0),
        settleAfterMs: 100,
        amount: 1000,
        notifications: 2,
      }),
      await seedTerminalPayment(t.db, {
        createdAt: at(1),
        settleAfterMs: 200,
        amount: 2000,
        notifications: 2,
      }),
      await seedTerminalPayment(t.db, {
        createdAt: at(2),
        settleAfterMs: 300,
        amount: 3000,
        notifications: 1,
      }),
      await seedTerminalPayment(t.db, {
        createdAt: at(3),
        settleAfterMs: 400,
        amount: 4013,
        status: 'FAILED',
        failureCode: 'card_declined',
      }),
      await seedTerminalPayment(t.db, {
        createdAt: at(4),
        settleAfterMs: 1000,
        amount: 1_000_000,
        status: 'FAILED',
        failureCode: 'risk_blocked',
        risk: { score: 95, level: 'highest', outcome: 'block' },
      }),
    ];
    const eur = await seedTerminalPayment(t.db, {
      createdAt: at(5),
      settleAfterMs: 50,
      currency: 'EUR',
      risk: null,
    });
    const jpy = await seedTerminalPayment(t.db, {
      createdAt: D2,
      settleAfterMs: 70,
      currency: 'JPY',
      amount: 500,
    });
    return { usd, eur, jpy };
  }

  const snapshot = async () => ({
    facts: await t.db`SELECT * FROM payment_facts ORDER BY payment_id`,
    stats: await t.db`SELECT * FROM daily_payment_stats ORDER BY day, currency`,
  });

  it('writes one fact per terminal payment and day x currency stats with integer money and percentiles', async () => {
    const { usd, eur } = await seedTwoDays();
    await seedTerminalPayment(t.db, { createdAt: D1, settleAfterMs: 0 }).then(
      (p) => t.db`UPDATE payments SET status = 'PENDING' WHERE id = ${p.id}`,
    );

    const report = await runAnalytics(deps(), RUN);

    expect(report).toMatchObject({ kind: 'incremental', payments: 7, days: ['2026-11-01', '2026-11-02'] });
    expect(report.complete).toBe(true);
    const [blocked] = await t.db`SELECT * FROM payment_facts WHERE payment_id = ${usd[4]!.id}`;
    expect(blocked).toMatchObject({
      user_id: 'user-analytics',
      currency: 'USD',
      amount: 1_000_000,
      status: 'FAILED',
      failure_code: 'risk_blocked',
      risk_score: 95,
      risk_level: 'highest',
      risk_outcome: 'block',
      time_to_terminal_ms: 1000,
      notifications_sent: 0,
    });
    const [first] =
      await t.db`SELECT notifications_sent, risk_level FROM payment_facts WHERE payment_id = ${usd[0]!.id}`;
    expect(first).toEqual({ notifications_sent: 2, risk_level: 'normal' });
    const [unscreened] =
      await t.db`SELECT risk_score, risk_level FROM payment_facts WHERE payment_id = ${eur.id}`;
    expect(unscreened).toEqual({ risk_score: null, risk_level: null });
    expect((await t.db`SELECT count(*)::int AS n FROM payment_facts`)[0]!.n).toBe(7); // the PENDING one is not a fact

    const [stats] =
      await t.db`SELECT * FROM daily_payment_stats WHERE day = '2026-11-01' AND currency = 'USD'`;
    expect(stats).toMatchObject({
      payments: 5,
      succeeded: 3,
      failed: 2,
      declined: 1,
      blocked: 1,
      amount_total: 1_010_013,
      amount_succeeded: 6000,
      success_rate: 0.6,
      decline_rate: 0.2,
      block_rate: 0.2,
      p50_time_to_terminal_ms: 300,
    });
    // percentile_cont interpolates: 400 + 0.8 x (1000 - 400)
    expect(stats!.p95_time_to_terminal_ms).toBeCloseTo(880, 6);
    const types = await t.db`
      SELECT column_name, data_type FROM information_schema.columns
      WHERE table_name IN ('payment_facts', 'daily_payment_stats') AND column_name LIKE 'amount%'`;
    expect(new Set(types.map((c) => c.data_type))).toEqual(new Set(['bigint']));
    expect(await t.db`SELECT day::text, currency::text FROM daily_payment_stats ORDER BY 1, 2`).toEqual([
      { day: '2026-11-01', currency: 'EUR' },
      { day: '2026-11-01', currency: 'USD' },
      { day: '2026-11-02', currency: 'JPY' },
    ]);
  });

  it('is idempotent: a second run reads nothing new, a backfill of the same days writes the same rows', async () => {
    await seedTwoDays();
    await runAnalytics(deps(), RUN);
    const before = await snapshot();

    expect((await runAnalytics(deps(), RUN)).payments).toBe(0);
    const backfill = await runAnalytics(deps(), {
      ...RUN,
      range: { from: D1, to: new Date(D2.getTime() + DAY_MS) },
    });

    expect(backfill).toMatchObject({ kind: 'backfill', payments: 7, exported: ['2026-11-01', '2026-11-02'] });
    expect(await snapshot()).toEqual(before);
  });

  it('backfills a range without moving the cursors, and restores facts lost from it', async () => {
    await seedTwoDays();
    await runAnalytics(deps(), RUN);
    const before = await snapshot();
    const cursors = await t.db`SELECT source, at::text, id FROM analytics_cursors ORDER BY source`;
    await t.db`DELETE FROM payment_facts WHERE day = '2026-11-01'`;
    await t.db`DELETE FROM daily_payment_stats WHERE day = '2026-11-01'`;

    const report = await runAnalytics(deps(), { ...RUN, range: { from: D1, to: D2 } });

    expect(report).toMatchObject({ payments: 6, days: ['2026-11-01'], exported: ['2026-11-01'] });
    expect(await snapshot()).toEqual(before);
    expect(await t.db`SELECT source, at::text, id FROM analytics_cursors ORDER BY source`).toEqual(cursors);
  });

  it('leaves changes younger than the safe lag, and takes a change committed late once the lag has passed', async () => {
    now = new Date(D1.getTime() + 10_000);
    let commit!: () => void;
    const committed = new Promise<void>((resolve) => {
      commit = resolve;
    });
    // A settlement stamped at D1 whose transaction stays open past a run.
    const late = t.db.begin(async (tx) => {
      await seedTerminalPayment(tx as never, { createdAt: D1, settleAfterMs: 0 });
      await committed;
    });
    const young = await seedTerminalPayment(t.db, {
      createdAt: new Date(now.getTime() - 1000),
      settleAfterMs: 0,
    });

    expect((await runAnalytics(deps(), RUN)).payments).toBe(0); // both younger than the lag
    commit();
    await late;
    now = new Date(D1.getTime() + LAG_MS + 1000);
    expect((await runAnalytics(deps(), RUN)).payments).toBe(1); // the late one, stamped D1
    now =
      new Date(young.created_at).getTime() + LAG_MS + 1 > now.getTime()
        ? new Date(new Date(young.created_at).getTime() + LAG_MS + 1)
        : now;
    expect((await runAnalytics(deps(), RUN)).payments).toBe(1); // the young one, now old enough
    expect((await t.db`SELECT count(*)::int AS n FROM payment_facts`)[0]!.n).toBe(2);
  });

  it('rewrites a fact when a notification arrives after it (its own cursor)', async () => {
    const payment = await seedTerminalPayment(t.db, { createdAt: D1, settleAfterMs: 10, notifications: 1 });
    await runAnalytics(deps(), RUN);
    await t.db`
      INSERT INTO notifications (id, payment_id, user_id, event_id, channel, status, message, sent_at, created_at)
      VALUES (gen_random_uuid(), ${payment.id}, ${payment.user_id}, gen_random_uuid(), 'sms', 'sent', 'late', now(),
              ${new Date(D2.getTime())})`;

    const report = await runAnalytics(deps(), RUN);

    expect(report.payments).toBe(1);
    expect((await t.db`SELECT notifications_sent FROM payment_facts`)[0]!.notifications_sent).toBe(2);
  });

  it('two runs at once take turns on the cursor and write what one run writes', async () => {
    await seedTwoDays();
    const [a, b] = await Promise.all([runAnalytics(deps(), RUN), runAnalytics(deps(), RUN)]);
    expect(a.payments + b.payments).toBeGreaterThanOrEqual(7);
    const together = await snapshot();
    await t.db`TRUNCATE payment_facts, daily_payment_stats`;
    await runAnalytics(deps(), { ...RUN, range: { from: D1, to: now } });
    expect(await snapshot()).toEqual(together);
  });

  it('keeps a day stale when its export fails, and the next run writes it', async () => {
    await seedTwoDays();
    const failing: AnalyticsExports = {
      write: async () => {
        throw new Error('bucket unreachable');
      },
    };
    await expect(runAnalytics(deps(failing), RUN)).rejects.toThrow('bucket unreachable');
    expect(await t.db`SELECT day::text FROM analytics_stale_exports ORDER BY day`).toEqual([
      { day: '2026-11-01' },
      { day: '2026-11-02' },
    ]);

    const report = await runAnalytics(deps(), RUN);

    expect(report).toMatchObject({ payments: 0, exported: ['2026-11-01', '2026-11-02'] });
    expect(await t.db`SELECT * FROM analytics_stale_exports`).toEqual([]);
  });

  it('exports Parquet partitioned by dt= whose types and values DuckDB reads as SQL has them', async () => {
    await seedTwoDays();
    const handler = createAnalytics(async () => ({
      config: loadConfig(analyticsConfigSchema, { DATABASE_URL: t.url, ANALYTICS_EXPORT_DIR: dir }),
      ...deps(),
    }));
    const report = await handler({ 'detail-type': 'Scheduled Event' }, lambdaContext(900_000));
    expect(report.exported).toEqual(['2026-11-01', '2026-11-02']);

    const duck = await (await DuckDBInstance.create(':memory:')).connect();
    const read = async (sql: string) => (await duck.runAndReadAll(sql)).getRowObjectsJson();
    const facts = `read_parquet('${dir}/payment_facts/*/*.parquet', hive_partitioning = true)`;
    const columnTypes = Object.fromEntries(
      (await read(`DESCRIBE SELECT * FROM ${facts}`)).map((c) => [c.column_name, c.column_type]),
    );
    expect(columnTypes).toMatchObject({
      payment_id: 'VARCHAR',
      amount: 'BIGINT',
      risk_score: 'INTEGER',
      created_at: 'TIMESTAMP',
      settled_at: 'TIMESTAMP',
      time_to_terminal_ms: 'BIGINT',
      notifications_sent: 'INTEGER',
    });
    const fromParquet = await read(
      `SELECT payment_id, amount::VARCHAR AS amount, status, failure_code, risk_level, epoch_ms(settled_at)::VARCHAR AS settled,
              time_to_terminal_ms::VARCHAR AS ttt, notifications_sent, dt::VARCHAR AS dt FROM ${facts} ORDER BY payment_id`,
    );
    const fromSql = await t.db`
      SELECT payment_id::text, amount::text, status, failure_code, risk_level,
             (extract(epoch FROM settled_at) * 1000)::bigint::text AS settled, time_to_terminal_ms::text AS ttt,
             notifications_sent, day::text AS dt
      FROM payment_facts ORDER BY payment_id`;
    expect(fromParquet).toEqual(fromSql.map((r) => ({ ...r })));

    const stats = `read_parquet('${dir}/daily_payment_stats/*/*.parquet', hive_partitioning = true)`;
    const statsFromParquet = await read(
      `SELECT dt::VARCHAR AS day, currency, payments::VARCHAR AS payments, amount_total::VARCHAR AS amount_total,
              success_rate, p95_time_to_terminal_ms FROM ${stats} ORDER BY dt, currency`,
    );
    const statsFromSql = await t.db`
      SELECT day::text, currency::text, payments::text, amount_total::text, success_rate, p95_time_to_terminal_ms
      FROM daily_payment_stats ORDER BY day, currency`;
    expect(statsFromParquet).toEqual(statsFromSql.map((r) => ({ ...r })));
    duck.closeSync();
  });
});
