import { FileObjectStore } from '../lambdas/shared/adapters/analytics/object-stores';
import { ParquetExports } from '../lambdas/shared/adapters/analytics/parquet-exports';
import { PostgresAnalyticsStore } from '../lambdas/shared/adapters/postgres/analytics-store';
import { systemClock } from '../lambdas/shared/adapters/system';
import { runAnalytics } from '../lambdas/shared/use-cases/run-analytics';
import { analyticsExportDir } from '../local/handler-environment';
import { createRound } from './http-load';
import { machine } from './machine';
import { ROOT, startBenchRuntime } from './runtime';
import { progress, spread } from './stats';

// `BENCH_ANALYTICS=1 npm run bench`: the analytics run with 100,000 terminal payments in the runtime's database
// (docs/architecture.md, "Analytics"). Rounds interleave POST /payments alone and POST /payments while a
// backfill rewrites the facts of all 100,000 (the same batches, upserts and exports as the scheduled run),
// so both create figures come from one run on one machine. Prints its own table; touches no report file.

const env = process.env;
const PAYMENTS = Number(env.BENCH_ANALYTICS_PAYMENTS ?? 100_000);
const ROUNDS = Number(env.BENCH_ROUNDS ?? 3);
const ROUND_S = Number(env.BENCH_ROUND_SECONDS ?? 5);
const CONNECTIONS = Number(env.BENCH_CONNECTIONS ?? 16);
const DAYS = 10;
const DAY_MS = 86_400_000;

export async function runAnalyticsBench(): Promise<void> {
  const runtime = await startBenchRuntime();
  try {
    const { db } = runtime;
    // Old enough for any lag: ten days ending three days ago, settled 50-2050 ms after creation.
    const start = new Date(Date.now() - (DAYS + 3) * DAY_MS);
    progress(`seeding ${PAYMENTS} terminal payments (and their risk assessments) over ${DAYS} days`);
    await db`
      WITH seeded AS (
        INSERT INTO payments (id, user_id, amount, currency, status, failure_code, failure_reason, created_at, updated_at)
        SELECT gen_random_uuid(), 'bench-user-' || (i % 1000), 100 + (i * 37) % 100000,
               (ARRAY['USD','EUR','GBP','JPY'])[1 + i % 4],
               CASE WHEN i % 10 = 0 THEN 'FAILED' ELSE 'SUCCEEDED' END,
               CASE WHEN i % 10 = 0 THEN 'card_declined' END, CASE WHEN i % 10 = 0 THEN 'bench' END,
               ${start}::timestamptz + (i * ${(DAYS * DAY_MS) / PAYMENTS} || ' milliseconds')::interval,
               ${start}::timestamptz + (i * ${(DAYS * DAY_MS) / PAYMENTS} + 50 + i % 2000 || ' milliseconds')::interval
        FROM generate_series(1, ${PAYMENTS}) AS i
        RETURNING id, user_id, created_at)
      INSERT INTO risk_assessments (payment_id, user_id, score, level, outcome, rules_version, rules, assessed_at)
      SELECT id, user_id, 10, 'normal', 'allow', 'bench', '[]'::jsonb, created_at FROM seeded`;
    await db`ANALYZE payments`;
    // The runtime's own schedule (every 5 s) takes the seeded rows first: wait until it has, so it is idle after.
    const deadline = Date.now() + 600_000;
    for (;;) {
      const [row] = await db<{ facts: number; stale: number }[]>`
        SELECT (SELECT count(*)::int FROM payment_facts) AS facts,
               (SELECT count(*)::int FROM analytics_stale_exports) AS stale`;
      if (row!.facts >= PAYMENTS && row!.stale === 0) break;
      if (Date.now() > deadline)
        throw new Error(`the scheduled run did not catch up: ${JSON.stringify(row)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const [scheduled] = await db<{ payments: number }[]>`
      SELECT sum(payments)::int AS payments FROM analytics_runs WHERE payments > 0`;
    progress(`the scheduled incremental runs took the ${scheduled!.payments} seeded payments`);

    const store = new PostgresAnalyticsStore(db);
    const exports = new ParquetExports(new FileObjectStore(analyticsExportDir(runtime.dataDir)));
    const backfill = () =>
      runAnalytics(
        { store, exports, clock: systemClock },
        {
          batchSize: 1000,
          safeLagMs: 0,
          range: { from: start, to: new Date(start.getTime() + (DAYS + 1) * DAY_MS) },
        },
      );
    const tokens = await runtime.tokens(CONNECTIONS);
    progress(`warm-up: ${ROUND_S} s of POST /payments`);
    await createRound(runtime.baseUrl, tokens, CONNECTIONS, { durationS: ROUND_S });

    const alone: number[] = [];
    const during: number[] = [];
    const rowsPerSecond: number[] = [];
    const rowsPerSecondAlone: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      // Interleaved: a backfill alone, creates alone, then both at once.
      const t0 = performance.now();
      const lone = await backfill();
      rowsPerSecondAlone.push(lone.payments / ((performance.now() - t0) / 1000));
      alone.push(
        (await createRound(runtime.baseUrl, tokens, CONNECTIONS, { durationS: ROUND_S })).requestsPerSecond,
      );
      const t1 = performance.now();
      let backfillMs = 0;
      const running = backfill().then((r) => {
        backfillMs = performance.now() - t1;
        return r;
      });
      const c = await createRound(runtime.baseUrl, tokens, CONNECTIONS, { durationS: ROUND_S });
      const report = await running;
      during.push(c.requestsPerSecond);
      rowsPerSecond.push(report.payments / (backfillMs / 1000));
      const overlap = Math.min(1, backfillMs / (ROUND_S * 1000));
      progress(
        `round ${round}: run alone ${rowsPerSecondAlone.at(-1)!.toFixed(0)} rows/s; creates alone ${alone.at(-1)!.toFixed(0)}/s; ` +
          `creates during a run ${c.requestsPerSecond.toFixed(0)}/s (run ${(backfillMs / 1000).toFixed(1)} s, ` +
          `${rowsPerSecond.at(-1)!.toFixed(0)} rows/s, covered ${(overlap * 100).toFixed(0)}% of the round)`,
      );
    }
    const fmt = (values: number[]) => {
      const s = spread(values);
      return `${s.median.toFixed(0)} (${s.min.toFixed(0)}-${s.max.toFixed(0)})`;
    };
    process.stdout.write(
      `${[
        `Analytics bench: ${PAYMENTS} terminal payments, ${ROUNDS} interleaved rounds of ${ROUND_S} s, ${CONNECTIONS} connections; machine: ${JSON.stringify(await machine(ROOT))}`,
        `scheduled incremental runs (every 5 s) caught up with the ${scheduled!.payments} seeded payments`,
        'measure | median (min-max)',
        `analytics run (backfill of all ${PAYMENTS}, batches of 1000, with exports), alone: rows/s | ${fmt(rowsPerSecondAlone)}`,
        `analytics run while POST /payments runs: rows/s | ${fmt(rowsPerSecond)}`,
        `POST /payments alone: payments/s | ${fmt(alone)}`,
        `POST /payments while an analytics run runs: payments/s | ${fmt(during)}`,
      ].join('\n')}\n`,
    );
  } finally {
    await runtime.stop();
  }
}
